/** Where each scalar type's values go in a ScalarField (schema.proto), by Milvus's type names. */
export const SCALAR_KEYS: Readonly<Record<string, string>> = {
  Bool: 'bool_data',
  Int8: 'int_data',
  Int16: 'int_data',
  Int32: 'int_data',
  Int64: 'long_data',
  Float: 'float_data',
  Double: 'double_data',
  VarChar: 'string_data',
  String: 'string_data',
  JSON: 'json_data',
};

/** Milvus's dynamic field: the columns a collection has no field for, as one JSON object per row. */
export const DYNAMIC_FIELD = '$meta';
