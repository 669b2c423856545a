// The entities the accounts module owns, registered by AccountsModule and by the standalone data source.
import { IracingLink } from './entities/iracing-link.entity.js';
import { ViewerToken } from './entities/viewer-token.entity.js';

export { IracingLink, ViewerToken };
export const ACCOUNTS_ENTITIES = [IracingLink, ViewerToken];
