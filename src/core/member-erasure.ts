// What a member's unlink erases beyond the accounts' own tables (docs/architecture.md §6.6): each feature that keeps
// data of a racer's own (their plan, favourites, calendar feeds) registers how to erase it, under the name its count
// is reported by; the accounts module runs them all without importing the features above it.
import { Injectable } from '@nestjs/common';

export type Eraser = (custId: number) => Promise<number>;

@Injectable()
export class MemberErasure {
  private readonly erasers = new Map<string, Eraser>();

  /** `what` names the count in the unlink's answer (for example `planItemsDeleted`). */
  register(what: string, erase: Eraser): void {
    if (this.erasers.has(what)) throw new Error(`an eraser of ${what} is registered twice`);
    this.erasers.set(what, erase);
  }

  /** Runs every eraser; what each erased, by name. */
  async erase(custId: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [what, erase] of this.erasers) out[what] = await erase(custId);
    return out;
  }
}
