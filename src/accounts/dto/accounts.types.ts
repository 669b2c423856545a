// The GraphQL types of account linking: the start of a link (where to send the racer), its result (the viewer
// token, shown this once), what an unlink removed, and `me`, the racer a viewer token stands for.
import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Member } from '../../members/entities/member.entity.js';
import { SyncRun } from '../../scheduler/sync-run.entity.js';
import { LINK_STATUSES } from '../entities/iracing-link.entity.js';
import type { LinkStatus } from '../entities/iracing-link.entity.js';

export const IracingLinkStatus = Object.fromEntries(LINK_STATUSES.map((s) => [s, s])) as {
  [K in LinkStatus]: K;
};
registerEnumType(IracingLinkStatus, {
  name: 'IracingLinkStatus',
  description: 'ACTIVE: syncs may act for the racer. NEEDS_RELINK: the racer must sign in to iRacing again.',
});

@ObjectType({ description: 'Where to send the racer to sign in to iRacing, and the state that comes back.' })
export class IracingLinkStart {
  @Field({ description: "iRacing's sign-in page (authorization code flow with PKCE); valid for 10 minutes." })
  authorizeUrl: string;

  @Field({ description: 'Returned with the code to the redirect URI: pass both to completeIracingLink.' })
  state: string;
}

@ObjectType({ description: 'A linked iRacing account and the viewer token to read as that racer.' })
export class IracingLinkResult {
  @Field(() => Int, { description: 'iRacing cust_id of the account that signed in.' })
  custId: number;

  @Field({
    description:
      'Bearer token for this racer (Authorization: Bearer <token>): shown only here, stored only as a digest.',
  })
  viewerToken: string;

  @Field(() => Member, {
    nullable: true,
    description: "The racer's profile, licences and owned content, as their member/info said at the link.",
  })
  member: Member | null;

  @Field(() => SyncRun, {
    nullable: true,
    description: "The racer's first sync (summary and recent form), queued at once; null if it could not be.",
  })
  firstSync: SyncRun | null;
}

@ObjectType({ description: 'What unlinking removed.' })
export class UnlinkResult {
  @Field(() => Int)
  custId: number;

  @Field({ description: 'Whether a link (and its stored refresh token) was deleted.' })
  linkDeleted: boolean;

  @Field({ description: "Whether a cached access token of the racer's was deleted." })
  accessTokenDeleted: boolean;

  @Field(() => Int, { description: "Viewer tokens revoked (this request's included)." })
  viewerTokensRevoked: number;

  @Field(() => Int, { description: 'Owned cars deleted.' })
  ownedCarsDeleted: number;

  @Field(() => Int, { description: 'Owned track packages deleted.' })
  ownedTracksDeleted: number;

  @Field(() => Int, { description: 'Owned packages the catalog does not list, deleted.' })
  unknownPackagesDeleted: number;

  @Field(() => Int, { description: 'Planned sessions and weeks deleted.' })
  planItemsDeleted: number;

  @Field(() => Int, { description: 'Favourite series, cars and tracks deleted.' })
  favouritesDeleted: number;

  @Field(() => Int, { description: 'Calendar feed tokens revoked.' })
  calendarFeedsRevoked: number;

  @Field(() => Int, {
    description: "Rows of the racer's own history deleted: rating chart days, yearly and career totals.",
  })
  historyRowsDeleted: number;
}

@ObjectType('IracingLink', {
  description: 'The link of a racer to their iRacing account (never its tokens).',
})
export class IracingLinkInfo {
  @Field(() => IracingLinkStatus)
  status: LinkStatus;

  @Field(() => Date)
  linkedAt: Date;

  @Field(() => Date, { nullable: true, description: "When a sync last ran with this racer's token." })
  lastSyncAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the stored refresh token expires (re-link after).',
  })
  refreshExpiresAt: Date | null;
}

@ObjectType({ description: 'The racer a viewer token stands for.' })
export class Viewer {
  @Field(() => Int)
  custId: number;
}
