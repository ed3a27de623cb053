export { AdminUserResponseDto, AuthProvider, UserResponseDto } from './dto/user.response.dto.js';
export { UsersModule } from './users.module.js';
export { type NewUser, type UserChanges } from './users.repository.js';
export { UsersService, type UserContact } from './users.service.js';
