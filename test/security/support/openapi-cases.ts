import {
  ALL_HOSTILE_STRINGS,
  deepArray,
  deepObject,
  HOSTILE_EMAILS,
  NOT_EMAILS,
  NOT_TIMES,
  NOT_UUIDS,
} from './hostile-input.js';

/** The parts of OpenAPI 3 that the cases are generated from. */
export interface SchemaObject {
  $ref?: string;
  allOf?: SchemaObject[];
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  example?: unknown;
  properties?: Record<string, SchemaObject>;
  required?: string[];
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}

interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
  security?: Record<string, unknown>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

export interface Operation {
  /** `PATCH /api/v1/boards/{id}` */
  id: string;
  method: string;
  path: string;
  bearer: boolean;
  parameters: (ParameterObject & { schema: SchemaObject })[];
  /** The JSON body's schema, resolved; absent when the operation takes no body. */
  body?: SchemaObject;
}

/** One request the fuzzer sends, and what it must get. */
export interface FuzzCase {
  operation: string;
  name: string;
  method: string;
  /** Path and query, filled in. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * `refused`: the input breaks the schema, so the answer is a 4xx. `survives`: the input is well-formed but hostile and
   * goes where a valid request writes nothing; any answer but a 5xx will do.
   */
  expect: 'refused' | 'survives';
}

export interface CaseContext {
  /** A valid value of a path parameter: an object the caller may act on. */
  pathValue(operation: Operation, name: string): string;
  /** A valid value for a body field that must name something real (a member, a version); undefined for the default. */
  fieldValue(operation: Operation, field: string): unknown;
  /** Whether a valid request to the operation writes nothing, so that hostile but well-formed values may go there. */
  writesNothing(operation: Operation): boolean;
  bodyLimitBytes: number;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * The operations of the given documents, merged: the api's live document names every route, the committed one
 * (built with the swagger plugin) carries the body schemas. For each parameter and body the richer description wins.
 */
export function operationsOf(...documents: OpenApiDocument[]): Operation[] {
  const operations = new Map<string, Operation>();
  for (const document of documents) {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, spec] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const id = `${method.toUpperCase()} ${path}`;
        const operation = operations.get(id) ?? {
          id,
          method: method.toUpperCase(),
          path,
          bearer: false,
          parameters: [],
        };
        operation.bearer ||= (spec.security ?? []).some((requirement) => 'bearer' in requirement);
        for (const parameter of spec.parameters ?? []) {
          const schema = resolve(document, parameter.schema ?? {});
          const known = operation.parameters.findIndex((p) => p.name === parameter.name && p.in === parameter.in);
          if (known === -1) operation.parameters.push({ ...parameter, schema });
          else if (richness(schema) > richness(operation.parameters[known].schema)) {
            operation.parameters[known] = { ...parameter, schema };
          }
        }
        const bodySchema = spec.requestBody?.content?.['application/json']?.schema;
        if (bodySchema) {
          const body = resolve(document, bodySchema);
          if (!operation.body || richness(body) > richness(operation.body)) operation.body = body;
        }
        operations.set(id, operation);
      }
    }
  }
  return [...operations.values()];
}

function resolve(document: OpenApiDocument, schema: SchemaObject): SchemaObject {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document, document.components?.schemas?.[name] ?? {});
  }
  if (schema.allOf?.length === 1 && !schema.type) return { ...resolve(document, schema.allOf[0]), ...omit(schema) };
  if (!schema.properties) return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, property]) => [name, resolve(document, property)]),
  );
  return { ...schema, properties };
}

const omit = (schema: SchemaObject): SchemaObject => {
  const rest = { ...schema };
  delete rest.allOf;
  return rest;
};

const richness = (schema: SchemaObject): number =>
  Object.keys(schema).length + Object.keys(schema.properties ?? {}).length * 10;

/** A JSON fragment written into a body as is (what JSON.stringify cannot produce). */
class RawJson {
  constructor(readonly text: string) {}
}

const raw = (text: string) => new RawJson(text);

function stringify(body: unknown): string {
  const fragments: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    fragments.push(value.text);
    return `\u0001raw${fragments.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_match, index: string) => fragments[Number(index)]);
}

const FILLER = 'quiet-harbor-lantern-42';

/** A well-formed id that names nothing (every suite starts from an empty database). */
const NOTHING = '5e1f0e8a-9c4b-4d2a-8f3e-6b7c8d9e0f1a';

/** Percent-encodes the UTF-8 of `value`, lone surrogates included (as U+FFFD), which encodeURIComponent refuses. */
const encode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const isTime = (name: string, schema: SchemaObject) => schema.format === 'date-time' || name.endsWith('At');

const fits = (value: string, schema: SchemaObject) =>
  value.length >= (schema.minLength ?? 0) &&
  value.length <= (schema.maxLength ?? Infinity) &&
  (!schema.pattern || new RegExp(schema.pattern).test(value));

/** A value the schema accepts. */
function validValue(operation: Operation, name: string, schema: SchemaObject, context: CaseContext): unknown {
  const given = context.fieldValue(operation, name);
  if (given !== undefined) return given;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.type === 'integer' || schema.type === 'number') return Math.max(schema.minimum ?? 1, 1);
  if (schema.type === 'boolean') return true;
  if (schema.format === 'email') return 'fuzz-target@example.com';
  if (schema.format === 'uuid') return NOTHING;
  if (isTime(name, schema)) return '2030-01-01T09:00:00Z';
  const candidates = [schema.example, FILLER.padEnd(schema.minLength ?? 1, 'x'), '000000', 'a'];
  return candidates.find((value) => typeof value === 'string' && fits(value, schema)) ?? FILLER;
}

type Labelled = [label: string, value: unknown];

/** Values that break `schema`, each with what it tries. */
function invalidValues(name: string, schema: SchemaObject, required: boolean): Labelled[] {
  const values: Labelled[] = [];
  const numeric = schema.type === 'integer' || schema.type === 'number';
  if (required && !schema.nullable) values.push(['null', null]);
  if (numeric) {
    values.push(
      ['a numeric string', '1'],
      ['a word', 'abc'],
      ['a boolean', true],
      ['an object', {}],
      ['an array', [1]],
      ['an infinite number', raw('1e309')],
    );
    if (schema.type === 'integer') values.push(['a fraction', 1.5]);
    if (schema.minimum !== undefined) values.push(['below the minimum', schema.minimum - 1]);
    if (schema.maximum !== undefined) values.push(['above the maximum', schema.maximum + 1]);
    return values;
  }
  values.push(
    ['a number', 12345],
    ['a boolean', true],
    ['an object', {}],
    ['an operator object', { $ne: null }],
    ['an array', [`${FILLER}`]],
    ['deeply nested arrays', raw(deepArray(256))],
    ['arrays nested 2 000 deep', raw(deepArray(2000))],
    ['a NUL character', 'nul\u0000byte'],
  );
  if (schema.enum?.length) {
    const first = String(schema.enum[0]);
    for (const value of ['', first.toLowerCase(), `${first} `, 'SUPERUSER', `${first}' OR '1'='1`]) {
      if (!schema.enum.includes(value)) values.push([`an enum value ${JSON.stringify(value)}`, value]);
    }
    return values;
  }
  if (schema.format === 'email') values.push(...NOT_EMAILS.map((value): Labelled => ['not an email', value]));
  if (schema.format === 'uuid') values.push(...NOT_UUIDS.map((value): Labelled => ['not a uuid', value]));
  if (isTime(name, schema)) values.push(...NOT_TIMES.map((value): Labelled => ['not a time', value]));
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const misses = [...ALL_HOSTILE_STRINGS, '12345', '1234567', 'abcdef', '12345\n', ' 123456', '']
      .filter((value) => !pattern.test(value))
      .map((value): Labelled => ['off the pattern', value]);
    values.push(...misses);
  }
  if (schema.maxLength !== undefined) {
    const over = schema.maxLength + 1;
    values.push(
      ['one character too long', 'x'.repeat(over)],
      ['an injection, too long', "' OR '1'='1' -- ".repeat(over).slice(0, over)],
      ['markup, too long', '<script>alert(1)</script>'.repeat(over).slice(0, over)],
      ['emoji, too many', '😀'.repeat(over)],
    );
  }
  if ((schema.minLength ?? 0) >= 1) values.push(['empty', '']);
  if ((schema.minLength ?? 0) > 1) values.push(['one character too short', 'x'.repeat(schema.minLength! - 1)]);
  return values;
}

/** Well-formed values with a payload, for operations that write nothing with valid input. */
function hostileValidValues(name: string, schema: SchemaObject): Labelled[] {
  if (schema.enum || schema.format === 'uuid' || schema.type === 'integer' || schema.type === 'number') return [];
  if (isTime(name, schema)) return [];
  if (schema.format === 'email') return HOSTILE_EMAILS.map((value) => ['a hostile address', value]);
  return ALL_HOSTILE_STRINGS.map((value) => value.padEnd(schema.minLength ?? 0, 'x'))
    .filter((value) => fits(value, schema))
    .map((value) => ['a hostile string', value]);
}

const EXTRA_FIELDS: Labelled[] = [
  ['role', 'ADMIN'],
  ['id', '00000000-0000-4000-8000-000000000000'],
  ['authorId', '00000000-0000-4000-8000-000000000000'],
  ['creatorId', '00000000-0000-4000-8000-000000000000'],
  ['bannedAt', null],
  ['emailVerifiedAt', '2020-01-01T00:00:00Z'],
  ['isAdmin', true],
  ['version', 99],
  ['deletedAt', null],
];

/** What an idempotency key may not be (visible ASCII, 1 to 255): empty, too long, spaces, tabs, Latin-1. */
const BAD_IDEMPOTENCY_KEYS = ['', 'x'.repeat(256), 'two words', 'tab\there', 'caf\u00e9'];

/** Garbage in the opaque cursor: not base64url JSON, the wrong shape, a bad id, too long. */
const BAD_CURSORS = [
  '!!!',
  Buffer.from('[]').toString('base64url'),
  Buffer.from('["x","y"]').toString('base64url'),
  Buffer.from('{"createdAt":1}').toString('base64url'),
  Buffer.from(JSON.stringify(['2020-01-01T00:00:00Z', "' OR 1=1 --"])).toString('base64url'),
  Buffer.from(JSON.stringify(['not a time', NOTHING])).toString('base64url'),
  // A time in the right shape that PostgreSQL cannot store, and one not in the form the API writes.
  Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', NOTHING])).toString('base64url'),
  Buffer.from(JSON.stringify(['2020-01-01T00:00:00Z', NOTHING])).toString('base64url'),
  'x'.repeat(201),
];

/** Every case for one operation, deterministically (same document, same cases). */
export function casesFor(operation: Operation, context: CaseContext): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const fill = (overrides: Record<string, string> = {}) =>
    operation.path.replace(/\{(\w+)\}/g, (_match, name: string) =>
      name in overrides ? overrides[name] : encode(context.pathValue(operation, name)),
    );
  const add = (name: string, expect: FuzzCase['expect'], request: Partial<FuzzCase> = {}) =>
    cases.push({
      operation: operation.id,
      name,
      method: operation.method,
      url: fill(),
      headers: {},
      expect,
      ...request,
    });
  const json = (body: unknown) => ({ body: stringify(body), headers: { 'content-type': 'application/json' } });

  const schema = operation.body;
  const properties = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  /** The required fields, valid; plus `field` (or, with no required field, the first one) so that a change is asked. */
  const base = (field?: string): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    const wanted = properties.filter(
      ([name], index) => required.has(name) || name === field || (required.size === 0 && !field && index === 0),
    );
    for (const [name, property] of wanted) body[name] = validValue(operation, name, property, context);
    return body;
  };
  const validBody = schema ? stringify(base()) : undefined;

  // Body fields: wrong types, broken bounds, formats and patterns; then hostile but well-formed values.
  for (const [name, property] of properties) {
    for (const [label, value] of invalidValues(name, property, required.has(name))) {
      add(`${name}: ${label}`, 'refused', json({ ...base(name), [name]: value }));
    }
    if (context.writesNothing(operation)) {
      for (const [label, value] of hostileValidValues(name, property)) {
        add(`${name}: ${label} ${JSON.stringify(value)}`, 'survives', json({ ...base(name), [name]: value }));
      }
    }
  }

  // Whole bodies: fields missing, fields no client may set, other JSON types, pollution, depth, size.
  if (schema) {
    for (const name of required) {
      const body = base();
      delete body[name];
      add(`without ${name}`, 'refused', json(body));
    }
    for (const [name, value] of EXTRA_FIELDS.filter(([field]) => !schema.properties?.[field])) {
      add(`an extra field ${name}`, 'refused', json({ ...base(), [name]: value }));
    }
    for (const text of ['[]', '"text"', '123', 'null', 'true', '{}']) {
      add(`a body of ${text}`, 'refused', { body: text, headers: { 'content-type': 'application/json' } });
    }
    // Only JSON is read: the bodies a foreign page can send without a CORS preflight never reach a route.
    add('the body as a form', 'refused', {
      body: new URLSearchParams(
        Object.entries(base()).map(([key, value]): [string, string] => [key, String(value)]),
      ).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    add('the body as text/plain', 'refused', { body: validBody!, headers: { 'content-type': 'text/plain' } });
    const valid = validBody!.slice(1, -1);
    const join = (...parts: string[]) => `{${parts.filter(Boolean).join(',')}}`;
    add('a __proto__ key', 'refused', json(raw(join(valid, '"__proto__":{"role":"ADMIN"}'))));
    add('a constructor.prototype key', 'refused', json(raw(join(valid, '"constructor":{"prototype":{"x":1}}'))));
    add('deeply nested objects in an extra field', 'refused', json(raw(join(valid, `"nested":${deepObject(256)}`))));
    const [first] = properties;
    if (first) {
      add(`${first[0]} given twice, the second an object`, 'refused', {
        ...json(raw(join(valid, `${JSON.stringify(first[0])}:{"$ne":null}`))),
      });
    }
    const long = properties.find(([, property]) => property.maxLength !== undefined && property.maxLength < 50_000);
    if (long) {
      const size = context.bodyLimitBytes - 2048;
      add(
        `${long[0]}: ${size} characters, inside the body limit`,
        'refused',
        json({ ...base(long[0]), [long[0]]: 'x'.repeat(size) }),
      );
    }
  }

  // Transport: bodies the parser must refuse before any handler runs (with valid ids, so a slip would show).
  if (operation.method !== 'GET') {
    const asJson = { 'content-type': 'application/json' };
    add('malformed JSON', 'refused', { body: '{"', headers: asJson });
    add('JSON with trailing garbage', 'refused', { body: `${validBody ?? '{}'}x`, headers: asJson });
    add('an empty JSON body', 'refused', { body: '', headers: asJson });
    add('an XML body', 'refused', {
      body: '<user><role>ADMIN</role></user>',
      headers: { 'content-type': 'application/xml' },
    });
    add('a body over the size limit', 'refused', {
      body: stringify({ ...(schema ? base() : {}), padding: 'x'.repeat(context.bodyLimitBytes) }),
      headers: asJson,
    });
  }

  // Path parameters: anything but a UUID, and a UUID of nothing.
  const bodyRequest: Partial<FuzzCase> = validBody === undefined ? {} : json(JSON.parse(validBody));
  for (const parameter of pathParams) {
    for (const value of NOT_UUIDS) {
      add(`${parameter.name} = ${value.slice(0, 40)}`, 'refused', {
        ...bodyRequest,
        url: fill({ [parameter.name]: encode(value) }),
      });
    }
    add(`${parameter.name} = %00`, 'refused', { ...bodyRequest, url: fill({ [parameter.name]: '%00' }) });
    add(`${parameter.name} = a UUID of nothing`, 'refused', {
      ...bodyRequest,
      url: fill({ [parameter.name]: NOTHING }),
    });
  }

  // Query parameters: broken numbers, enums, ids, lengths and cursors; hostile free text.
  const query = (pairs: [string, string][]) =>
    `${fill()}?${pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&')}`;
  for (const parameter of queryParams) {
    const { name, schema: param } = parameter;
    const refuse = (label: string, values: string[]) => {
      for (const value of values)
        add(`?${name}: ${label} ${JSON.stringify(value.slice(0, 40))}`, 'refused', { url: query([[name, value]]) });
    };
    if (param.type === 'integer' || param.type === 'number') {
      const bounds = [
        ...(param.minimum === undefined ? [] : [String(param.minimum - 1)]),
        ...(param.maximum === undefined ? [] : [String(param.maximum + 1)]),
      ];
      refuse('not a number in range', [...bounds, '-1', '1.5', 'abc', '', 'Infinity', 'NaN', "1' OR '1'='1"]);
      add(`?${name} given twice`, 'refused', {
        url: query([
          [name, '1'],
          [name, '2'],
        ]),
      });
    } else if (param.enum) {
      refuse(
        'not in the enum',
        ['', 'CREATEDAT', `${String(param.enum[0])}; DROP TABLE boards`, 'x'.repeat(300)].filter(
          (v) => !param.enum!.includes(v),
        ),
      );
    } else if (param.format === 'uuid') {
      refuse('not a uuid', NOT_UUIDS);
    } else if (name === 'cursor') {
      refuse('not a cursor of ours', BAD_CURSORS);
    } else {
      if (param.maxLength !== undefined) {
        refuse('too long', ['x'.repeat(param.maxLength + 1)]);
        refuse('a NUL character', ['nul\u0000byte']);
      } else {
        // Unvalidated text (Kakao's callback answers every oddity with a redirect to the SPA): it must only survive.
        add(`?${name}: a NUL character`, 'survives', { url: query([[name, 'nul\u0000byte']]) });
      }
      for (const value of ALL_HOSTILE_STRINGS.filter((v) => v.length <= (param.maxLength ?? Infinity))) {
        add(`?${name}: a hostile string ${JSON.stringify(value)}`, 'survives', { url: query([[name, value]]) });
      }
    }
  }
  if (queryParams.some((p) => p.name === 'page') && queryParams.some((p) => p.name === 'limit')) {
    add('?page and ?limit together', 'refused', {
      url: query([
        ['page', '1'],
        ['limit', '5'],
      ]),
    });
  }
  // Lists validate their whole query (ListQueryDto): a parameter they do not know is refused. Other reads ignore the
  // query; a polluting one must not hurt them.
  if (queryParams.some((p) => p.name === 'page')) {
    add('an unknown query parameter', 'refused', { url: query([['role', 'ADMIN']]) });
  } else if (operation.method === 'GET') {
    for (const pair of [
      ['role', 'ADMIN'],
      ['__proto__[role]', 'ADMIN'],
      ['constructor[prototype][role]', 'ADMIN'],
    ]) {
      add(`a polluting query parameter ${pair[0]}`, 'survives', { url: query([pair as [string, string]]) });
    }
  }

  // Headers the operation documents: the idempotency key must be sane, even on a valid body.
  if (operation.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')) {
    for (const key of BAD_IDEMPOTENCY_KEYS) {
      add(`Idempotency-Key ${JSON.stringify(key.slice(0, 20))}`, 'refused', {
        ...bodyRequest,
        headers: { ...bodyRequest.headers, 'idempotency-key': key },
      });
    }
  }
  return cases;
}
