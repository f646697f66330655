'use strict';

var catalogModel = require('@backstage/catalog-model');

const isUserEntityRef = (ref) => catalogModel.parseEntityRef(ref).kind.toLowerCase() === "user";
const partitionEntityRefs = (refs) => {
  const ret = [[], []];
  for (const ref of refs) {
    if (isUserEntityRef(ref)) {
      ret[0].push(ref);
    } else {
      ret[1].push(ref);
    }
  }
  return ret;
};
class DefaultNotificationRecipientResolver {
  auth;
  catalog;
  constructor(auth, catalog) {
    this.auth = auth;
    this.catalog = catalog;
  }
  async resolveNotificationRecipients(options) {
    const { entityRefs, excludedEntityRefs = [] } = options;
    const users = /* @__PURE__ */ new Set();
    const seen = /* @__PURE__ */ new Set();
    const todo = [...new Set(entityRefs)];
    todo.forEach((ref) => seen.add(ref));
    const fields = ["kind", "metadata.name", "metadata.namespace", "relations"];
    while (todo.length) {
      const [userEntityRefs, otherEntityRefs] = partitionEntityRefs(todo);
      todo.length = 0;
      userEntityRefs.forEach((user) => users.add(user));
      const filtered = otherEntityRefs.filter(
        (ref) => !excludedEntityRefs.includes(ref)
      );
      let entities = [];
      if (filtered.length > 0) {
        const fetchedEntities = await this.catalog.getEntitiesByRefs(
          {
            entityRefs: filtered,
            fields
          },
          { credentials: await this.auth.getOwnServiceCredentials() }
        );
        entities = fetchedEntities.items.filter(
          (entity) => entity !== void 0
        );
      }
      entities.forEach((entity) => {
        const currentEntityRef = catalogModel.stringifyEntityRef(entity);
        if (excludedEntityRefs.includes(currentEntityRef)) {
          return;
        }
        if (catalogModel.isUserEntity(entity)) {
          users.add(currentEntityRef);
          return;
        }
        if (catalogModel.isGroupEntity(entity)) {
          for (const relation of entity.relations ?? []) {
            if (relation.type === catalogModel.RELATION_HAS_MEMBER && isUserEntityRef(relation.targetRef)) {
              users.add(relation.targetRef);
            } else if (relation.type === catalogModel.RELATION_PARENT_OF && !seen.has(relation.targetRef)) {
              seen.add(relation.targetRef);
              todo.push(relation.targetRef);
            }
          }
          return;
        }
        const ownerRef = entity.relations?.find(
          (relation) => relation.type === catalogModel.RELATION_OWNED_BY
        )?.targetRef;
        if (ownerRef && !seen.has(ownerRef)) {
          seen.add(ownerRef);
          todo.push(ownerRef);
        }
      });
    }
    return {
      userEntityRefs: [...new Set(users)].filter(Boolean).filter((ref) => !excludedEntityRefs.includes(ref))
    };
  }
}

exports.DefaultNotificationRecipientResolver = DefaultNotificationRecipientResolver;
