import type { AnyDriverDefinition } from './define-driver.js';

/** The drivers a server knows, by id. Built in main.ts from an explicit list; tests add their own. */
export class DriverRegistry {
  private readonly byId = new Map<string, AnyDriverDefinition>();

  constructor(definitions: readonly AnyDriverDefinition[]) {
    for (const d of definitions) {
      if (this.byId.has(d.id)) throw new Error(`driver ${d.id} is registered twice`);
      this.byId.set(d.id, d);
    }
  }

  get(id: string): AnyDriverDefinition | undefined {
    return this.byId.get(id);
  }

  all(): AnyDriverDefinition[] {
    return [...this.byId.values()];
  }
}
