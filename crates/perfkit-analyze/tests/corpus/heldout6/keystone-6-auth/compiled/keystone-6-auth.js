import { assertInputObjectType, GraphQLString, GraphQLID, parse, validate } from 'graphql/index.js';
import { g } from '@keystone-6/core';
import { getPasswordFieldKDF } from '@keystone-6/core/fields/types/password';

const AUTHENTICATION_FAILURE = {
  code: 'FAILURE',
  message: 'Authentication failed.'
};
function getBaseAuthSchema({
  authGqlNames,
  listKey,
  identityField,
  secretField,
  base
}) {
  const kdf = getPasswordFieldKDF(base.schema, listKey, secretField);
  if (!kdf) {
    throw new Error(`${listKey}.${secretField} is not a valid password field.`);
  }
  const ItemAuthenticationWithPasswordSuccess = g.object()({
    name: authGqlNames.ItemAuthenticationWithPasswordSuccess,
    fields: {
      sessionToken: g.field({
        type: g.nonNull(g.String)
      }),
      item: g.field({
        type: g.nonNull(base.object(listKey))
      })
    }
  });
  const ItemAuthenticationWithPasswordFailure = g.object()({
    name: authGqlNames.ItemAuthenticationWithPasswordFailure,
    fields: {
      message: g.field({
        type: g.nonNull(g.String)
      })
    }
  });
  const AuthenticationResult = g.union({
    name: authGqlNames.ItemAuthenticationWithPasswordResult,
    types: [ItemAuthenticationWithPasswordSuccess, ItemAuthenticationWithPasswordFailure],
    resolveType(val) {
      if ('sessionToken' in val) return authGqlNames.ItemAuthenticationWithPasswordSuccess;
      return authGqlNames.ItemAuthenticationWithPasswordFailure;
    }
  });
  const extension = {
    query: {
      authenticatedItem: g.field({
        type: base.object(listKey),
        resolve(rootVal, args, context) {
          const {
            session
          } = context;
          if (!(session !== null && session !== void 0 && session.itemId)) return null;
          return context.db[listKey].findOne({
            where: {
              id: session.itemId
            }
          });
        }
      })
    },
    mutation: {
      endSession: g.field({
        type: g.nonNull(g.Boolean),
        async resolve(rootVal, args, context) {
          var _context$sessionStrat;
          await ((_context$sessionStrat = context.sessionStrategy) === null || _context$sessionStrat === void 0 ? void 0 : _context$sessionStrat.end({
            context
          }));
          return true;
        }
      }),
      [authGqlNames.authenticateItemWithPassword]: g.field({
        type: AuthenticationResult,
        args: {
          [identityField]: g.arg({
            type: g.nonNull(g.String)
          }),
          [secretField]: g.arg({
            type: g.nonNull(g.String)
          })
        },
        async resolve(rootVal, {
          [identityField]: identity,
          [secretField]: secret
        }, context) {
          if (!context.sessionStrategy) throw new Error('No session strategy on context');
          const item = await context.sudo().db[listKey].findOne({
            where: {
              [identityField]: identity
            }
          });
          if (typeof (item === null || item === void 0 ? void 0 : item[secretField]) !== 'string') {
            await kdf.hash('simulated-password-to-counter-timing-attack');
            return AUTHENTICATION_FAILURE;
          }
          const equal = await kdf.compare(secret, item[secretField]);
          if (!equal) return AUTHENTICATION_FAILURE;
          const sessionToken = await context.sessionStrategy.start({
            data: {
              itemId: item.id
            },
            context
          });
          if (typeof sessionToken !== 'string' || sessionToken.length === 0) {
            return AUTHENTICATION_FAILURE;
          }
          return {
            sessionToken,
            item
          };
        }
      })
    }
  };
  return {
    extension,
    ItemAuthenticationWithPasswordSuccess
  };
}

const getSchemaExtension = ({
  authGqlNames,
  listKey,
  identityField,
  secretField,
  sessionData
}) => g.extend(base => {
  const uniqueWhereInputType = assertInputObjectType(base.schema.getType(authGqlNames.whereUniqueInputName));
  const identityFieldOnUniqueWhere = uniqueWhereInputType.getFields()[identityField];
  if (base.schema.extensions.scope === 'internal' && (identityFieldOnUniqueWhere === null || identityFieldOnUniqueWhere === void 0 ? void 0 : identityFieldOnUniqueWhere.type) !== GraphQLString && (identityFieldOnUniqueWhere === null || identityFieldOnUniqueWhere === void 0 ? void 0 : identityFieldOnUniqueWhere.type) !== GraphQLID) {
    throw new Error(`createAuth was called with an identityField of ${identityField} on the list ${listKey} ` + `but that field doesn't allow being searched uniquely with a String or ID. ` + `You should likely add \`isIndexed: 'unique'\` ` + `to the field at ${listKey}.${identityField}`);
  }
  const baseSchema = getBaseAuthSchema({
    authGqlNames: authGqlNames,
    identityField,
    listKey,
    secretField,
    base
  });
  if (base.schema.extensions.scope === 'internal') {
    // technically this will incorrectly error if someone has a schema extension that adds a field to the list output type
    // and then wants to fetch that field with `sessionData` but it's extremely unlikely someone will do that since if
    // they want to add a GraphQL field, they'll probably use a virtual field
    const query = `query($id: ID!) { ${authGqlNames.itemQueryName}(where: { id: $id }) { ${sessionData} } }`;
    let ast;
    try {
      ast = parse(query);
    } catch (err) {
      throw new Error(`The query to get session data has a syntax error, the sessionData option in your createAuth usage is likely incorrect\n${err}`);
    }
    const errors = validate(base.schema, ast);
    if (errors.length) {
      throw new Error(`The query to get session data has validation errors, the sessionData option in your createAuth usage is likely incorrect\n${errors.join('\n')}`);
    }
  }
  return baseSchema.extension;
});

function configTemplate ({
  labelField
}) {
  return `import { type AdminConfig } from '@keystone-6/core/types'
import makeNavigation from '@keystone-6/auth/components/Navigation'

export const components: AdminConfig['components'] = {
  Navigation: makeNavigation({ labelField: '${labelField}' }),
}
`;
}

function signinTemplate ({
  authGqlNames,
  identityField,
  secretField
}) {
  return `import makeSigninPage from '@keystone-6/auth/pages/SigninPage'

export default makeSigninPage(${JSON.stringify({
    authGqlNames,
    identityField,
    secretField
  })})
`;
}

function getAuthGqlNames(singular) {
  const lowerSingularName = singular.charAt(0).toLowerCase() + singular.slice(1);
  return {
    itemQueryName: lowerSingularName,
    whereUniqueInputName: `${singular}WhereUniqueInput`,
    authenticateItemWithPassword: `authenticate${singular}WithPassword`,
    ItemAuthenticationWithPasswordResult: `${singular}AuthenticationWithPasswordResult`,
    ItemAuthenticationWithPasswordSuccess: `${singular}AuthenticationWithPasswordSuccess`,
    ItemAuthenticationWithPasswordFailure: `${singular}AuthenticationWithPasswordFailure`
  };
}

// TODO: use TypeInfo and listKey for types
/**
 * createAuth function
 *
 * Generates config for Keystone to implement standard auth features.
 */
function createAuth({
  listKey,
  secretField,
  identityField,
  sessionData = 'id'
}) {
  /**
   * getAdditionalFiles
   *
   * This function adds files to be generated into the Admin UI build. Must be added to the
   * ui.getAdditionalFiles config.
   *
   * The signin page is always included.
   */
  const authGetAdditionalFiles = config => {
    var _listConfig$ui$labelF, _listConfig$ui, _listConfig$graphql$s, _listConfig$graphql;
    // TODO: FIXME: this is a duplication of initialise-lists:747
    const listConfig = config.lists[listKey];
    const labelField = (_listConfig$ui$labelF = (_listConfig$ui = listConfig.ui) === null || _listConfig$ui === void 0 ? void 0 : _listConfig$ui.labelField) !== null && _listConfig$ui$labelF !== void 0 ? _listConfig$ui$labelF : listConfig.fields.label ? 'label' : listConfig.fields.name ? 'name' : listConfig.fields.title ? 'title' : 'id';
    const authGqlNames = getAuthGqlNames((_listConfig$graphql$s = (_listConfig$graphql = listConfig.graphql) === null || _listConfig$graphql === void 0 ? void 0 : _listConfig$graphql.singular) !== null && _listConfig$graphql$s !== void 0 ? _listConfig$graphql$s : listKey);
    const filesToWrite = [{
      mode: 'write',
      src: signinTemplate({
        authGqlNames,
        identityField,
        secretField
      }),
      outputPath: 'pages/signin.js'
    }, {
      mode: 'write',
      src: configTemplate({
        labelField
      }),
      outputPath: 'config.ts'
    }];
    return filesToWrite;
  };
  function throwIfInvalidConfig(config) {
    if (!(listKey in config.lists)) {
      throw new Error(`withAuth cannot find the list "${listKey}"`);
    }

    // TODO: verify that the identity field is unique
    // TODO: verify that the field is required
    const list = config.lists[listKey];
    if (!(identityField in list.fields)) {
      throw new Error(`withAuth cannot find the identity field "${listKey}.${identityField}"`);
    }
    if (!(secretField in list.fields)) {
      throw new Error(`withAuth cannot find the secret field "${listKey}.${secretField}"`);
    }
  }

  // this strategy wraps the existing session strategy,
  //   and injects the requested session.data before returning
  function authSessionStrategy(_sessionStrategy) {
    const {
      get,
      ...sessionStrategy
    } = _sessionStrategy;
    return {
      ...sessionStrategy,
      get: async ({
        context
      }) => {
        const session = await get({
          context
        });
        const sudoContext = context.sudo();
        if (!(session !== null && session !== void 0 && session.itemId)) return;

        // TODO: replace with SessionSecret: HMAC({ listKey, identityField, secretField }, SessionSecretVar)
        // if (session.listKey !== listKey) return null

        try {
          const data = await sudoContext.query[listKey].findOne({
            where: {
              id: session.itemId
            },
            query: sessionData
          });
          if (!data) return;
          return {
            ...session,
            itemId: session.itemId,
            data
          };
        } catch (e) {
          console.error(e);
          // WARNING: this is probably an invalid configuration
          return;
        }
      }
    };
  }
  function authMiddleware({
    wasAccessAllowed,
    basePath
  }) {
    // don't redirect if we have access
    if (wasAccessAllowed) return;

    // otherwise, redirect to signin
    return {
      kind: 'redirect',
      to: `${basePath}/signin`
    };
  }
  function defaultIsAccessAllowed({
    session
  }) {
    return session !== undefined;
  }
  function defaultExtendGraphqlSchema(schema) {
    return schema;
  }

  /**
   * withAuth
   *
   * Automatically extends your configuration with a prescriptive implementation.
   */
  function withAuth(config) {
    var _ui, _listConfig$graphql$s2, _listConfig$graphql2;
    throwIfInvalidConfig(config);
    let {
      ui
    } = config;
    if (!((_ui = ui) !== null && _ui !== void 0 && _ui.isDisabled)) {
      var _ui$basePath, _ui2;
      const {
        getAdditionalFiles = () => [],
        isAccessAllowed = defaultIsAccessAllowed,
        pageMiddleware,
        publicPages = []
      } = ui || {};
      const authPublicPages = [`${(_ui$basePath = (_ui2 = ui) === null || _ui2 === void 0 ? void 0 : _ui2.basePath) !== null && _ui$basePath !== void 0 ? _ui$basePath : ''}/signin`];
      ui = {
        ...ui,
        publicPages: [...publicPages, ...authPublicPages],
        getAdditionalFiles: async () => [...(await getAdditionalFiles()), ...authGetAdditionalFiles(config)],
        isAccessAllowed,
        pageMiddleware: async args => {
          const shouldRedirect = authMiddleware(args);
          if (shouldRedirect) return shouldRedirect;
          return pageMiddleware === null || pageMiddleware === void 0 ? void 0 : pageMiddleware(args);
        }
      };
    }
    if (!config.session) throw new TypeError('Missing .session configuration');
    const {
      graphql
    } = config;
    const {
      extendGraphqlSchema = defaultExtendGraphqlSchema
    } = graphql !== null && graphql !== void 0 ? graphql : {};
    const listConfig = config.lists[listKey];

    /**
     * extendGraphqlSchema
     *
     * Must be added to the extendGraphqlSchema config. Can be composed.
     */
    const authGqlNames = getAuthGqlNames((_listConfig$graphql$s2 = (_listConfig$graphql2 = listConfig.graphql) === null || _listConfig$graphql2 === void 0 ? void 0 : _listConfig$graphql2.singular) !== null && _listConfig$graphql$s2 !== void 0 ? _listConfig$graphql$s2 : listKey);
    const authExtendGraphqlSchema = getSchemaExtension({
      authGqlNames,
      listKey,
      identityField,
      secretField,
      sessionData
    });
    return {
      ...config,
      graphql: {
        ...config.graphql,
        extendGraphqlSchema: schema => {
          return extendGraphqlSchema(authExtendGraphqlSchema(schema));
        }
      },
      ui,
      session: authSessionStrategy(config.session)
    };
  }
  return {
    withAuth
  };
}

export { createAuth };
