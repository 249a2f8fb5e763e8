import type { RoleKey } from '../../authz/roles.js';
import type { UserStatus } from './user-status.js';
import { normalizeEmail, searchTextOf } from './user-record.js';

/** A small, fast, deterministic PRNG (mulberry32): the same seed gives the same users. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstNames = (
  'anna maria elena sofia laura julia emma olivia mia lena sara nina eva hannah clara alice chloe ' +
  'isabel lucia marta paula carmen ines rosa ana fatima aisha amina leila yasmin mei yuki sakura priya ' +
  'ananya divya olga irina natalia katarzyna agnieszka zofia ingrid astrid sigrid freya maeve siobhan ' +
  'james john robert michael david william richard thomas charles daniel matthew mark paul steven ' +
  'andrew joshua kevin brian george edward peter oliver jack harry noah liam lucas leon felix jonas ' +
  'luca marco giovanni pierre jean louis hugo carlos javier diego miguel pablo mohamed ahmed omar ali ' +
  'yusuf hiroshi kenji wei jun raj arjun vikram ivan dmitri sergei piotr tomasz jan lars erik sven ' +
  'niamh sean patrick kwame kofi chidi tunde'
).split(' ');

const lastNames = (
  'smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez ' +
  'wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ' +
  'ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams ' +
  'nelson baker hall rivera campbell mitchell carter roberts muller schmidt schneider fischer weber ' +
  'meyer wagner becker schulz hoffmann koch richter klein wolf schroder neumann schwarz zimmermann ' +
  'braun kruger hartmann lange werner krause lehmann kohler rossi russo ferrari esposito bianchi ' +
  'romano colombo ricci marino greco bruno gallo conti deluca mancini costa giordano rizzo lombardi ' +
  'moretti dubois durand leroy moreau simon laurent lefebvre michel bertrand roux vincent fournier ' +
  'morel girard andre mercier dupont lambert bonnet francois martinez nowak kowalski wisniewski ' +
  'wojcik kowalczyk kaminski lewandowski zielinski szymanski wozniak dabrowski kozlowski jankowski ' +
  'ivanov smirnov kuznetsov popov vasiliev petrov sokolov mikhailov novikov fedorov tanaka suzuki ' +
  'takahashi watanabe ito yamamoto nakamura kobayashi kato wang li zhang liu chen yang huang zhao ' +
  'patel sharma singh kumar gupta khan ali ahmed hassan hussein okafor adeyemi mensah osei murphy ' +
  'kelly obrien ryan byrne walsh oconnor mccarthy doyle larsen hansen johansen nielsen jensen ' +
  'andersson johansson karlsson nilsson eriksson lindberg virtanen korhonen nieminen silva santos ' +
  'oliveira souza pereira ferreira almeida'
).split(' ');

const jobTitles = [
  'Detective Constable',
  'Detective Sergeant',
  'Inspector',
  'Analyst',
  'Senior Analyst',
  'Case Officer',
  'Caseworker',
  'Compliance Officer',
  'Investigator',
  'Team Lead',
  'Records Clerk',
  'Data Protection Officer',
  'IT Administrator',
  'Nurse',
  'Registrar',
  null,
];

const domains = ['example.org', 'example.net', 'police.example', 'gov.example', 'bank.example'];
const locales = ['en-GB', 'en-US', 'de-DE', 'fr-FR', 'it-IT', 'pl-PL', 'es-ES', null];
const timeZones = ['Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo', null];

/** Cumulative weights: most users are viewers or investigators; a few administer; nobody is made owner. */
const roleWeights: [RoleKey, number][] = [
  ['viewer', 0.35],
  ['investigator', 0.6],
  ['analyst', 0.8],
  ['user_manager', 0.86],
  ['security_officer', 0.9],
  ['auditor', 0.95],
  ['administrator', 1],
];
const statusWeights: [UserStatus, number][] = [
  ['active', 0.75],
  ['invited', 0.83],
  ['suspended', 0.87],
  ['deactivated', 1],
];

/** The columns of one batch, as arrays for `insert ... select from unnest(...)`. Timestamps as ISO text. */
export interface SeedBatch {
  email: string[];
  email_normalized: string[];
  display_name: string[];
  search_text: string[];
  job_title: (string | null)[];
  role: string[];
  status: string[];
  status_reason: (string | null)[];
  status_changed_at: string[];
  suspended_until: (string | null)[];
  created_at: string[];
  activated_at: (string | null)[];
  last_login_at: (string | null)[];
  last_active_at: (string | null)[];
  locale: (string | null)[];
  time_zone: (string | null)[];
}

export const seedColumns = [
  'email',
  'email_normalized',
  'display_name',
  'search_text',
  'job_title',
  'role',
  'status',
  'status_reason',
  'status_changed_at',
  'suspended_until',
  'created_at',
  'activated_at',
  'last_login_at',
  'last_active_at',
  'locale',
  'time_zone',
] as const satisfies readonly (keyof SeedBatch)[];

const day = 86_400_000;

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

function weighted<T>(rng: () => number, table: readonly [T, number][]): T {
  const r = rng();
  for (const [value, upTo] of table) if (r < upTo) return value;
  return (table.at(-1) as [T, number])[0];
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Users number `start` to `start + n - 1` of `total` (the number makes every email unique): varied names,
 * roles and statuses; created over the last three years in numbering order, as an organisation grows (a few
 * in bursts with the same instant, as bulk imports make) — which also keeps the creation-time indexes
 * append-only while seeding; most active users seen recently, some never signed in. Pure given `rng`.
 */
export function generateSeedBatch(
  rng: () => number,
  start: number,
  n: number,
  now: Date,
  total: number = start + n,
): SeedBatch {
  const b: SeedBatch = Object.fromEntries(seedColumns.map((c) => [c, []])) as unknown as SeedBatch;
  const nowMs = now.getTime();
  const span = 1095 * day;
  const step = span / Math.max(1, total);
  let previousCreated = nowMs - span;
  for (let i = 0; i < n; i += 1) {
    const first = pick(rng, firstNames);
    const last = pick(rng, lastNames);
    const displayName = `${capital(first)} ${capital(last)}`;
    const email = `${first}.${last}${start + i}@${pick(rng, domains)}`;
    const status = weighted(rng, statusWeights);
    // 3% share the previous row's creation instant, like rows of one bulk import.
    const created =
      rng() < 0.03 ? previousCreated : Math.floor(nowMs - span + (start + i) * step + rng() * step);
    previousCreated = created;
    const age = nowMs - created;
    const signedIn = status !== 'invited' && rng() < 0.9;
    const lastLogin = signedIn ? nowMs - Math.floor(Math.min(age, rng() ** 3 * 365 * day)) : null;
    const lastActive =
      lastLogin === null ? null : Math.min(nowMs, lastLogin + Math.floor(rng() * 8 * 3_600_000));
    const statusChanged =
      status === 'active' || status === 'invited' ? created : created + Math.floor(rng() * age);
    const iso = (ms: number) => new Date(ms).toISOString();

    b.email.push(email);
    b.email_normalized.push(normalizeEmail(email));
    b.display_name.push(displayName);
    b.search_text.push(searchTextOf(displayName, email));
    b.job_title.push(pick(rng, jobTitles));
    b.role.push(weighted(rng, roleWeights));
    b.status.push(status);
    b.status_reason.push(
      status === 'suspended' ? 'Under review' : status === 'deactivated' ? 'Left the organisation' : null,
    );
    b.status_changed_at.push(iso(statusChanged));
    b.suspended_until.push(
      status === 'suspended' && rng() < 0.5 ? iso(nowMs + Math.ceil(rng() * 30) * day) : null,
    );
    b.created_at.push(iso(created));
    b.activated_at.push(
      status === 'invited' ? null : iso(created + Math.floor(rng() * Math.min(age, 7 * day))),
    );
    b.last_login_at.push(lastLogin === null ? null : iso(lastLogin));
    b.last_active_at.push(lastActive === null ? null : iso(lastActive));
    b.locale.push(pick(rng, locales));
    b.time_zone.push(pick(rng, timeZones));
  }
  return b;
}
