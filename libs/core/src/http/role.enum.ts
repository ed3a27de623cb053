/** What a signed-in user may do: every route needs `USER`, the admin routes `ADMIN` (`@Auth(Role.Admin)`). */
export enum Role {
  User = 'USER',
  Admin = 'ADMIN',
}
