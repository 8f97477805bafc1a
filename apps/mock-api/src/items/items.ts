import { createSeededRandom } from '../random/seeded-random.js';

/** One catalogue item. Prices are integers in cents. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly priceCents: number;
  readonly currency: 'EUR';
  readonly stock: number;
}

const ITEM_COUNT = 36;
// Fixed seed: the catalogue is the same on every start and on every instance.
const CATALOGUE_SEED = 20_240_601;
const ADJECTIVES = [
  'Sturdy',
  'Compact',
  'Quiet',
  'Rapid',
  'Modular',
  'Classic',
  'Portable',
  'Heavy-duty',
  'Smart',
];
const NOUNS: ReadonlyArray<readonly [string, string]> = [
  ['Kettle', 'kitchen'],
  ['Lamp', 'home'],
  ['Backpack', 'outdoor'],
  ['Headphones', 'audio'],
  ['Keyboard', 'computing'],
  ['Drill', 'tools'],
  ['Tent', 'outdoor'],
  ['Speaker', 'audio'],
  ['Monitor', 'computing'],
  ['Blender', 'kitchen'],
  ['Router', 'computing'],
  ['Chair', 'home'],
];

function pick<T>(values: readonly T[], random: () => number): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new RangeError('pick: empty list');
  return value;
}

/** The catalogue: 36 items with ids `"1"` to `"36"`, identical on every call, process and machine. */
export function generateItems(): readonly Item[] {
  const random = createSeededRandom(CATALOGUE_SEED);
  const items: Item[] = [];
  for (let index = 1; index <= ITEM_COUNT; index += 1) {
    const [noun, category] = pick(NOUNS, random);
    items.push(
      Object.freeze({
        id: String(index),
        name: `${pick(ADJECTIVES, random)} ${noun}`,
        category,
        priceCents: 500 + Math.floor(random() * 39_500),
        currency: 'EUR',
        stock: Math.floor(random() * 200),
      }),
    );
  }
  return Object.freeze(items);
}

/** Read access to the catalogue. */
export interface ItemCatalogue {
  list(): readonly Item[];
  get(id: string): Item | undefined;
}

export function createItemCatalogue(items: readonly Item[] = generateItems()): ItemCatalogue {
  const byId = new Map(items.map((item) => [item.id, item]));
  return {
    list: () => items,
    get: (id) => byId.get(id),
  };
}
