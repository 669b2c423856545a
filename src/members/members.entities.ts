// The entities the members module owns, registered by MembersModule and by the standalone data source.
import {
  SimProfileCarOwnership,
  SimProfileTrackOwnership,
  SimProfileUnknownPackage,
} from './entities/ownership.entity.js';
import { SimProfile } from './entities/sim-profile.entity.js';

export { SimProfile, SimProfileCarOwnership, SimProfileTrackOwnership, SimProfileUnknownPackage };
export const MEMBERS_ENTITIES = [
  SimProfile,
  SimProfileCarOwnership,
  SimProfileTrackOwnership,
  SimProfileUnknownPackage,
];
