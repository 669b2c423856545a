// The kind of a linked member's own sync (accounts.sync.ts defines it), named here too for the services that
// queue it without importing the sync's handler.
export const MEMBER_ACCOUNT_KIND = 'MEMBER_ACCOUNT';
