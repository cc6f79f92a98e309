// Linear's documented complexity model: about 0.1 point per scalar
// field, 1 per object, and a connection multiplies its children by its `first` (50 when omitted);
// the total is rounded up. Plain lists (Customer.needs) count once. Counted in tenths to keep the
// arithmetic exact. `__typename` and introspection fields are free.
import {
  getNamedType,
  isLeafType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

export function operationOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

export function queryComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  const operation = operationOf(document, operationName);
  const root = schema.getQueryType();
  if (!operation || !root) return 0;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );

  const tenths = (selectionSet: SelectionSetNode, parent: GraphQLNamedType): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type) total += tenths(fragment.selectionSet, type);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        if (type) total += tenths(selection.selectionSet, type);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__') || !('getFields' in parent)) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const type = getNamedType(field.type);
      if (isLeafType(type) || !selection.selectionSet) {
        total += 1;
        continue;
      }
      const children = tenths(selection.selectionSet, type);
      if (type.name.endsWith('Connection')) {
        const first = selection.arguments?.find((a) => a.name.value === 'first');
        const value = first ? valueFromASTUntyped(first.value, variables) : undefined;
        const multiplier = typeof value === 'number' ? value : DEFAULT_PAGE_SIZE;
        total += 10 + multiplier * children;
      } else total += 10 + children;
    }
    return total;
  };

  return Math.ceil(tenths(operation.selectionSet, root) / 10);
}
