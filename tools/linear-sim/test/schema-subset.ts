// Compares the simulator's schema with Linear's: every type, field, argument and input field the
// simulator serves must exist in the real schema with the same type (nullability and lists
// included), every enum value and interface too. Returns the differences, empty when faithful.
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLSchema,
} from 'graphql';

export function subsetProblems(served: GraphQLSchema, real: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(served.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const other = real.getType(type.name);
    if (!other) {
      problems.push(`type ${type.name} does not exist in Linear's schema`);
      continue;
    }
    if (other.constructor !== type.constructor) {
      problems.push(
        `${type.name} is a ${type.constructor.name} here, ${other.constructor.name} there`,
      );
      continue;
    }
    if (isScalarType(type)) continue;
    if (
      (isObjectType(type) || isInterfaceType(type)) &&
      (isObjectType(other) || isInterfaceType(other))
    ) {
      const realFields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const realField = realFields[field.name];
        if (!realField) {
          problems.push(`${type.name}.${field.name} does not exist`);
          continue;
        }
        if (String(field.type) !== String(realField.type))
          problems.push(`${type.name}.${field.name}: ${field.type} here, ${realField.type} there`);
        for (const arg of field.args) {
          const realArg = realField.args.find((a) => a.name === arg.name);
          if (!realArg) problems.push(`${type.name}.${field.name}(${arg.name}) does not exist`);
          else if (String(arg.type) !== String(realArg.type))
            problems.push(
              `${type.name}.${field.name}(${arg.name}): ${arg.type} here, ${realArg.type} there`,
            );
          else if (JSON.stringify(arg.defaultValue) !== JSON.stringify(realArg.defaultValue))
            problems.push(`${type.name}.${field.name}(${arg.name}) has another default`);
        }
        for (const realArg of realField.args) {
          if (
            String(realArg.type).endsWith('!') &&
            !field.args.some((a) => a.name === realArg.name)
          )
            problems.push(`${type.name}.${field.name} lacks the required argument ${realArg.name}`);
        }
      }
      const realInterfaces = other.getInterfaces().map((i) => i.name);
      for (const iface of type.getInterfaces())
        if (!realInterfaces.includes(iface.name))
          problems.push(`${type.name} does not implement ${iface.name} there`);
    } else if (isInputObjectType(type) && isInputObjectType(other)) {
      const realFields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const realField = realFields[field.name];
        if (!realField) problems.push(`input ${type.name}.${field.name} does not exist`);
        else if (String(field.type) !== String(realField.type))
          problems.push(
            `input ${type.name}.${field.name}: ${field.type} here, ${realField.type} there`,
          );
      }
      for (const realField of Object.values(realFields))
        if (String(realField.type).endsWith('!') && !type.getFields()[realField.name])
          problems.push(`input ${type.name} lacks the required field ${realField.name}`);
    } else if (isEnumType(type) && isEnumType(other)) {
      const values = other.getValues().map((v) => v.name);
      for (const value of type.getValues())
        if (!values.includes(value.name))
          problems.push(`enum ${type.name}.${value.name} does not exist`);
    } else if (isUnionType(type) && isUnionType(other)) {
      const members = other.getTypes().map((t) => t.name);
      for (const member of type.getTypes())
        if (!members.includes(member.name))
          problems.push(`union ${type.name} lacks ${member.name} there`);
    }
  }
  return problems;
}
