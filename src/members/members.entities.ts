// The entities the members module owns, registered by MembersModule and by the standalone data source.
import {
  MemberCarOwnership,
  MemberTrackOwnership,
  UnknownOwnedPackage,
} from './entities/ownership.entity.js';
import { Member } from './entities/member.entity.js';
import { MemberCareerStat, MemberRatingPoint, MemberYearlyStat } from './entities/member-history.entity.js';

export { Member, MemberCarOwnership, MemberTrackOwnership, UnknownOwnedPackage };
export const MEMBERS_ENTITIES = [
  Member,
  MemberCarOwnership,
  MemberTrackOwnership,
  UnknownOwnedPackage,
  MemberRatingPoint,
  MemberCareerStat,
  MemberYearlyStat,
];
