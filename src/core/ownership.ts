// What a member owns, as the seasons module needs it for `sessions(filter: {ownedByCustId})`. The members module
// provides it under OWNERSHIP_LOOKUP; both depend on this contract in core, not on each other.
export const OWNERSHIP_LOOKUP = Symbol('OWNERSHIP_LOOKUP');

export interface OwnedContent {
  carIds: number[];
  trackPackageIds: number[];
}

export interface OwnershipLookup {
  /** The member's owned cars and track packages; null when the member is not stored. */
  ownedContent(custId: number): Promise<OwnedContent | null>;
}
