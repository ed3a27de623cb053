export { AdminUserResponseDto, AuthProvider, UserResponseDto } from './dto/user.response.dto.js';
export { UsersModule } from './users.module.js';
export { UsersRepository, type NewUser } from './users.repository.js';
