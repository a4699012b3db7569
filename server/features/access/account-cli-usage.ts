// The account commands' usage, apart from their code: the CLI prints it
// without loading the account service (server/cli.ts loads commands lazily).

export const ACCOUNT_USAGE = `  user list [--unit CODE] [--json]
                     list the accounts (of a unit and its subtree with --unit): email, name,
                     role, unit, active or disabled, last sign-in (Asia/Ho_Chi_Minh)
  user disable --email EMAIL | user enable --email EMAIL
                     disable an account (its sessions end at once) or enable it again
  user reset --email EMAIL
                     end the account's sessions and password now, and print a one-time link
                     (valid 24 hours) with which the person sets a new password
`;
