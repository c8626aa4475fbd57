// The form model: what the tool invoker webview renders and the command palette walks.
// Type-only on purpose, so the webview can import it without pulling in ajv.

/**
 * Where a value lives in the arguments document, one segment per property key or array index
 * (indexes as decimal strings, like a JSON pointer split on `/`).
 * Fields inside an array item or a map value template use {@link ANY_KEY} for "any index / any key".
 */
export type FieldPath = string[];

/** Path segment standing for every index of an array, or every key of a key/value map. */
export const ANY_KEY = '*';

interface FieldBase {
  path: FieldPath;
  /** Property key ('' for the root, {@link ANY_KEY} for item and map value templates). */
  name: string;
  /** `title` if the schema has one, else the key made readable ("hold_minutes" → "Hold minutes"). */
  label: string;
  description?: string;
  /** Listed in the parent's `required`. Items and the root count as required. */
  required: boolean;
  /** `null` is accepted besides the field's own kind (`type: [X, "null"]` or `anyOf: [X, {type: "null"}]`). */
  nullable: boolean;
  /** Present only when the schema has a `default` (check with `'default' in field`). */
  default?: unknown;
}

export interface StringConstraints {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** JSON Schema format name as given: date-time, date, email, uri, uuid, ... */
  format?: string;
}

export interface NumberConstraints {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}

export interface ArrayConstraints {
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

export interface StringField extends FieldBase {
  kind: 'string';
  constraints: StringConstraints;
}

export interface NumberField extends FieldBase {
  kind: 'number' | 'integer';
  constraints: NumberConstraints;
}

export interface BooleanField extends FieldBase {
  kind: 'boolean';
}

export interface EnumOption {
  value: unknown;
  label: string;
  description?: string;
}

/** `enum`, `const` (a single option) or a `oneOf`/`anyOf` of consts (labelled by their titles). */
export interface EnumField extends FieldBase {
  kind: 'enum';
  options: EnumOption[];
}

export interface ObjectField extends FieldBase {
  kind: 'object';
  properties: FieldModel[];
  /**
   * Template for the values of keys not listed in `properties` (a key/value editor), when the schema
   * describes them with something a form can edit. Keys the form does not know are always kept.
   */
  additional?: FieldModel;
}

export interface ArrayField extends FieldBase {
  kind: 'array';
  items: FieldModel;
  constraints: ArrayConstraints;
}

export interface VariantOption {
  label: string;
  field: FieldModel;
}

/** A `oneOf`/`anyOf` the user chooses between; each option's field sits at the variant's own path. */
export interface VariantField extends FieldBase {
  kind: 'variant';
  options: VariantOption[];
  /** Property whose `const` tells the object options apart (e.g. "mode"), when there is one. */
  discriminator?: string;
}

/** Raw JSON editor: anything the form cannot represent. `reason` says why, for a hint under the editor. */
export interface JsonField extends FieldBase {
  kind: 'json';
  reason: string;
  /** The JSON type the schema expects here when it names exactly one ("object", "array", ...). */
  jsonType?: string;
}

export type FieldModel =
  | StringField
  | NumberField
  | BooleanField
  | EnumField
  | ObjectField
  | ArrayField
  | VariantField
  | JsonField;

export type FieldKind = FieldModel['kind'];

/** A problem with one value, at the path of the field it belongs to. */
export interface ValidationIssue {
  path: FieldPath;
  message: string;
}
