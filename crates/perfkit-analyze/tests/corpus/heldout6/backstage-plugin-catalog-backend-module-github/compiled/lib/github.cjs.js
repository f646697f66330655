'use strict';

var defaultTransformers = require('./defaultTransformers.cjs.js');
var withLocations = require('./withLocations.cjs.js');
var core = require('@octokit/core');
var pluginThrottling = require('@octokit/plugin-throttling');
var pluginRetry = require('@octokit/plugin-retry');

const DEFAULT_PAGE_SIZES = {
  teams: 25,
  teamMembers: 50,
  organizationMembers: 50,
  repositories: 25
};
async function getOrganizationUsers(client, org, tokenType, userTransformer = defaultTransformers.defaultUserTransformer, pageSizes = DEFAULT_PAGE_SIZES, excludeSuspendedUsers = false, restClient) {
  const useRestForSuspension = excludeSuspendedUsers && !!restClient;
  const suspendedAtField = excludeSuspendedUsers && !useRestForSuspension ? "suspendedAt," : "";
  const query = `
    query users($org: String!, $email: Boolean!, $cursor: String, $organizationMembersPageSize: Int!) {
      organization(login: $org) {
        membersWithRole(first: $organizationMembersPageSize, after: $cursor) {
          pageInfo { hasNextPage, endCursor }
          nodes {
            avatarUrl,
            bio,
            email @include(if: $email),
            id,
            login,
            name,
            ${suspendedAtField}
            organizationVerifiedDomainEmails(login: $org)
          }
        }
      }
    }`;
  let restFilter;
  if (useRestForSuspension) {
    const isEnterprise = await isGitHubEnterprise(restClient);
    if (isEnterprise) {
      restFilter = async (user) => !await isSuspended(user.login, restClient, { org });
    }
  }
  const users = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.organization?.membersWithRole,
    transformer: userTransformer,
    variables: {
      org,
      email: tokenType === "token",
      organizationMembersPageSize: pageSizes.organizationMembers
    },
    filter: useRestForSuspension ? restFilter : (u) => excludeSuspendedUsers ? !u.suspendedAt : true
  });
  return { users };
}
async function getOrganizationTeams(client, org, teamTransformer = defaultTransformers.defaultOrganizationTeamTransformer, pageSizes = DEFAULT_PAGE_SIZES) {
  const query = `
    query teams($org: String!, $cursor: String, $teamsPageSize: Int!, $membersPageSize: Int!) {
      organization(login: $org) {
        teams(first: $teamsPageSize, after: $cursor) {
          pageInfo { hasNextPage, endCursor }
          nodes {
            slug
            combinedSlug
            name
            description
            avatarUrl
            editTeamUrl
            parentTeam { slug }
            members(first: $membersPageSize, membership: IMMEDIATE) {
              pageInfo { hasNextPage }
              nodes {
                avatarUrl,
                bio,
                email,
                id,
                login,
                name,
                organizationVerifiedDomainEmails(login: $org)
               }
            }
          }
        }
      }
    }`;
  const materialisedTeams = async (item, ctx) => {
    const memberNames = [];
    if (!item.members.pageInfo.hasNextPage) {
      for (const user of item.members.nodes) {
        memberNames.push(user);
      }
    } else {
      const { members } = await getTeamMembers(
        ctx.client,
        ctx.org,
        item.slug,
        pageSizes
      );
      for (const userLogin of members) {
        memberNames.push(userLogin);
      }
    }
    const team = {
      ...item,
      members: memberNames
    };
    return await teamTransformer(team, ctx);
  };
  const teams = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.organization?.teams,
    transformer: materialisedTeams,
    variables: {
      org,
      teamsPageSize: pageSizes.teams,
      membersPageSize: pageSizes.teamMembers
    }
  });
  return { teams };
}
async function getOrganizationTeamsFromUsers(client, org, userLogins, teamTransformer = defaultTransformers.defaultOrganizationTeamTransformer, pageSizes = DEFAULT_PAGE_SIZES) {
  const query = `
   query teams($org: String!, $cursor: String, $userLogins: [String!] = "", $teamsPageSize: Int!, $membersPageSize: Int!) {
  organization(login: $org) {
    teams(first: $teamsPageSize, after: $cursor, userLogins: $userLogins) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        slug
        combinedSlug
        name
        description
        avatarUrl
        editTeamUrl
        parentTeam {
          slug
        }
        members(first: $membersPageSize, membership: IMMEDIATE) {
          pageInfo {
            hasNextPage
          }
          nodes {
            avatarUrl,
            bio,
            email,
            id,
            login,
            name,
            organizationVerifiedDomainEmails(login: $org)
          }
        }
      }
    }
  }
}`;
  const materialisedTeams = async (item, ctx) => {
    const memberNames = [];
    if (!item.members.pageInfo.hasNextPage) {
      for (const user of item.members.nodes) {
        memberNames.push(user);
      }
    } else {
      const { members } = await getTeamMembers(
        ctx.client,
        ctx.org,
        item.slug,
        pageSizes
      );
      for (const userLogin of members) {
        memberNames.push(userLogin);
      }
    }
    const team = {
      ...item,
      members: memberNames
    };
    return await teamTransformer(team, ctx);
  };
  const teams = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.organization?.teams,
    transformer: materialisedTeams,
    variables: {
      org,
      userLogins,
      teamsPageSize: pageSizes.teams,
      membersPageSize: pageSizes.teamMembers
    }
  });
  return { teams };
}
async function getOrganizationTeamsForUser(client, org, userLogin, teamTransformer, pageSizes = DEFAULT_PAGE_SIZES) {
  const query = `
   query teams($org: String!, $cursor: String, $userLogins: [String!] = "", $teamsPageSize: Int!) {
  organization(login: $org) {
    teams(first: $teamsPageSize, after: $cursor, userLogins: $userLogins) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        slug
        combinedSlug
        name
        description
        avatarUrl
        editTeamUrl
        parentTeam {
          slug
        }
      }
    }
  }
}`;
  const materialisedTeams = async (item, ctx) => {
    const team = {
      ...item,
      members: [{ login: userLogin }]
    };
    return await teamTransformer(team, ctx);
  };
  const teams = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.organization?.teams,
    transformer: materialisedTeams,
    variables: { org, userLogins: [userLogin], teamsPageSize: pageSizes.teams }
  });
  return { teams };
}
async function getOrganizationsFromUser(client, user) {
  const query = `
  query orgs($user: String!) {
    user(login: $user) {
      organizations(first: 100) {
        nodes { login }
        pageInfo { hasNextPage, endCursor }
      }
    }
  }`;
  const orgs = await queryWithPaging({
    client,
    query,
    org: "",
    connection: (r) => r.user?.organizations,
    transformer: async (o) => o.login,
    variables: { user }
  });
  return { orgs };
}
async function getOrganizationTeam(client, org, teamSlug, teamTransformer = defaultTransformers.defaultOrganizationTeamTransformer, pageSizes = DEFAULT_PAGE_SIZES) {
  const query = `
  query teams($org: String!, $teamSlug: String!, $membersPageSize: Int!) {
      organization(login: $org) {
        team(slug:$teamSlug) {
            slug
            combinedSlug
            name
            description
            avatarUrl
            editTeamUrl
            parentTeam { slug }
            members(first: $membersPageSize, membership: IMMEDIATE) {
              pageInfo { hasNextPage }
              nodes { login }
            }
        }
      }
    }`;
  const materialisedTeam = async (item, ctx) => {
    const memberNames = [];
    if (!item.members.pageInfo.hasNextPage) {
      for (const user of item.members.nodes) {
        memberNames.push(user);
      }
    } else {
      const { members } = await getTeamMembers(
        ctx.client,
        ctx.org,
        item.slug,
        pageSizes
      );
      for (const userLogin of members) {
        memberNames.push(userLogin);
      }
    }
    const team2 = {
      ...item,
      members: memberNames
    };
    return await teamTransformer(team2, ctx);
  };
  const response = await client(query, {
    org,
    teamSlug,
    membersPageSize: pageSizes.teamMembers
  });
  if (!response.organization?.team)
    throw new Error(`Found no match for team ${teamSlug}`);
  const team = await materialisedTeam(response.organization?.team, {
    query,
    client,
    org
  });
  if (!team) throw new Error(`Can't transform for team ${teamSlug}`);
  return { team };
}
async function getOrganizationRepositories(client, org, catalogPath, pageSizes = DEFAULT_PAGE_SIZES, branch) {
  let relativeCatalogPathRef;
  if (catalogPath.startsWith("/")) {
    relativeCatalogPathRef = catalogPath.substring(1);
  } else {
    relativeCatalogPathRef = catalogPath;
  }
  const branchRef = branch ?? "HEAD";
  const catalogPathRef = `${branchRef}:${relativeCatalogPathRef}`;
  const query = `
    query repositories($org: String!, $catalogPathRef: String!, $cursor: String, $repositoriesPageSize: Int!) {
      repositoryOwner(login: $org) {
        login
        repositories(first: $repositoriesPageSize, after: $cursor) {
          nodes {
            name
            catalogInfoFile: object(expression: $catalogPathRef) {
              __typename
              ... on Blob {
                id
                text
              }
            }
            url
            isArchived
            isFork
            visibility
            repositoryTopics(first: 100) {
              nodes {
                ... on RepositoryTopic {
                  topic {
                    name
                  }
                }
              }
            }
            defaultBranchRef {
              name
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }`;
  const repositories = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.repositoryOwner?.repositories,
    transformer: async (x) => x,
    variables: {
      org,
      catalogPathRef,
      repositoriesPageSize: pageSizes.repositories
    }
  });
  return { repositories };
}
async function getOrganizationRepository(client, org, repoName, catalogPath, branch) {
  let relativeCatalogPathRef;
  if (catalogPath.startsWith("/")) {
    relativeCatalogPathRef = catalogPath.substring(1);
  } else {
    relativeCatalogPathRef = catalogPath;
  }
  const branchRef = branch ?? "HEAD";
  const catalogPathRef = `${branchRef}:${relativeCatalogPathRef}`;
  const query = `
    query repository($org: String!, $repoName: String!, $catalogPathRef: String!) {
      repositoryOwner(login: $org) {
        repository(name: $repoName) {
          name
          catalogInfoFile: object(expression: $catalogPathRef) {
            __typename
            ... on Blob {
              id
              text
            }
          }
          url
          isArchived
          isFork
          visibility
          repositoryTopics(first: 100) {
            nodes {
              ... on RepositoryTopic {
                topic {
                  name
                }
              }
            }
          }
          defaultBranchRef {
            name
          }
        }
      }
    }`;
  const response = await client(query, {
    org,
    repoName,
    catalogPathRef
  });
  return response.repositoryOwner?.repository || null;
}
async function getTeamMembers(client, org, teamSlug, pageSizes = DEFAULT_PAGE_SIZES) {
  const query = `
    query members($org: String!, $teamSlug: String!, $cursor: String, $membersPageSize: Int!) {
      organization(login: $org) {
        team(slug: $teamSlug) {
          members(first: $membersPageSize, after: $cursor, membership: IMMEDIATE) {
            pageInfo { hasNextPage, endCursor }
            nodes { login }
          }
        }
      }
    }`;
  const members = await queryWithPaging({
    client,
    query,
    org,
    connection: (r) => r.organization?.team?.members,
    transformer: async (user) => user,
    variables: { org, teamSlug, membersPageSize: pageSizes.teamMembers }
  });
  return { members };
}
async function queryWithPaging(params) {
  const { client, query, org, connection, transformer, variables, filter } = params;
  const result = [];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let cursor = void 0;
  for (let j = 0; j < 1e3; ++j) {
    const response = await client(query, {
      ...variables,
      cursor
    });
    const conn = connection(response);
    if (!conn) {
      throw new Error(`Found no match for ${JSON.stringify(variables)}`);
    }
    for (const node of conn.nodes) {
      if (filter && !await filter(node)) {
        continue;
      }
      const transformedNode = await transformer(node, {
        client,
        query,
        org
      });
      if (transformedNode) {
        result.push(transformedNode);
      }
    }
    if (!conn.pageInfo.hasNextPage) {
      break;
    } else {
      await sleep(1e3);
      cursor = conn.pageInfo.endCursor;
    }
  }
  return result;
}
const createAddEntitiesOperation = (id, host) => (org, entities) => ({
  removed: [],
  added: entities.map((entity) => ({
    locationKey: `github-org-provider:${id}`,
    entity: withLocations.withLocations(`https://${host}`, org, entity)
  }))
});
const createRemoveEntitiesOperation = (id, host) => (org, entities) => ({
  added: [],
  removed: entities.map((entity) => ({
    locationKey: `github-org-provider:${id}`,
    entity: withLocations.withLocations(`https://${host}`, org, entity)
  }))
});
const createGraphqlClient = (args) => {
  const { headers, baseUrl, logger } = args;
  const ThrottledOctokit = core.Octokit.plugin(pluginThrottling.throttling, pluginRetry.retry);
  const octokit = new ThrottledOctokit({
    throttle: {
      onRateLimit: (retryAfter, rateLimitData, _, retryCount) => {
        logger.warn(
          `Request quota exhausted for request ${rateLimitData?.method} ${rateLimitData?.url}`
        );
        if (retryCount < 2) {
          logger.warn(
            `Retrying after ${retryAfter} seconds for the ${retryCount} time due to Rate Limit!`
          );
          return true;
        }
        return false;
      },
      onSecondaryRateLimit: (retryAfter, rateLimitData, _, retryCount) => {
        logger.warn(
          `Secondary Rate Limit Exhausted for request ${rateLimitData?.method} ${rateLimitData?.url}`
        );
        if (retryCount < 2) {
          logger.warn(
            `Retrying after ${retryAfter} seconds for the ${retryCount} time due to Secondary Rate Limit!`
          );
          return true;
        }
        return false;
      }
    }
  });
  const client = octokit.graphql.defaults({
    headers,
    baseUrl
  });
  return client;
};
function octokitThrottlingOptions(logger) {
  return {
    onRateLimit: (retryAfter, rateLimitData, _, retryCount) => {
      logger.warn(
        `Request quota exhausted for request ${rateLimitData?.method} ${rateLimitData?.url}`
      );
      if (retryCount < 2) {
        logger.warn(
          `Retrying after ${retryAfter} seconds for the ${retryCount} time due to Rate Limit!`
        );
        return true;
      }
      return false;
    },
    onSecondaryRateLimit: (retryAfter, rateLimitData, _, retryCount) => {
      logger.warn(
        `Secondary Rate Limit Exhausted for request ${rateLimitData?.method} ${rateLimitData?.url}`
      );
      if (retryCount < 2) {
        logger.warn(
          `Retrying after ${retryAfter} seconds for the ${retryCount} time due to Secondary Rate Limit!`
        );
        return true;
      }
      return false;
    }
  };
}
function createRestClient(options) {
  const getCredentials = () => options.credentialsProvider.getCredentials({
    url: options.orgUrl
  });
  const authStrategy = () => {
    const auth = () => getCredentials();
    auth.hook = async (request, hookOptions) => {
      const { headers } = await getCredentials();
      return request({
        ...hookOptions,
        headers: { ...hookOptions.headers, ...headers }
      });
    };
    return auth;
  };
  const ThrottledOctokit = core.Octokit.plugin(pluginThrottling.throttling, pluginRetry.retry);
  const octokit = new ThrottledOctokit({
    baseUrl: options.baseUrl,
    authStrategy,
    throttle: octokitThrottlingOptions(options.logger)
  });
  if (options.cache) {
    installConditionalRequestCache(octokit, options.cache);
  }
  return octokit;
}
function installConditionalRequestCache(octokit, cache) {
  octokit.hook.wrap("request", async (request, wrappedOptions) => {
    const resolvedUrl = (wrappedOptions.url || "").replace(
      /\{([^}]+)\}/g,
      (_, key) => encodeURIComponent(wrappedOptions[key])
    );
    const cacheKey = `catalog-backend-module-github:${wrappedOptions.method}:${wrappedOptions.baseUrl}${resolvedUrl}`;
    const cached = await cache.get(cacheKey).catch(() => void 0);
    if (cached?.lastModified) {
      wrappedOptions.headers["if-modified-since"] = cached.lastModified;
    } else if (cached?.etag) {
      wrappedOptions.headers["if-none-match"] = cached.etag;
    }
    try {
      const response = await request(wrappedOptions);
      const lastModified = response.headers["last-modified"];
      const etag = response.headers.etag;
      if (lastModified || etag) {
        cache.set(
          cacheKey,
          {
            lastModified,
            etag,
            headers: JSON.parse(JSON.stringify(response.headers)),
            data: JSON.parse(JSON.stringify(response.data))
          },
          // The TTL can be long here, since we only use the cache for
          // conditional GitHub requests - it's never returned unless we get a
          // 304 back from GitHub indicating that it's still correct.
          { ttl: { years: 1 } }
        ).catch(() => {
        });
      }
      return response;
    } catch (error) {
      if (error?.status === 304 && cached) {
        return {
          ...error.response,
          headers: cached.headers,
          data: cached.data
        };
      }
      throw error;
    }
  });
}
async function isSuspended(username, octokit, options) {
  const [userResponse, membershipResponse] = await Promise.all([
    octokit.request("GET /users/{username}", { username }),
    octokit.request("GET /orgs/{org}/memberships/{username}", {
      org: options.org,
      username
    })
  ]);
  const userSuspendedAt = userResponse.data.suspended_at;
  const membershipRole = membershipResponse.data.role;
  const userSuspended = !!userSuspendedAt;
  const orgMembershipSuspended = membershipRole === "suspended";
  return userSuspended || orgMembershipSuspended;
}
async function isGitHubEnterprise(octokit) {
  try {
    const response = await octokit.request("GET /versions");
    return !!response.headers["x-github-enterprise-version"];
  } catch {
    return false;
  }
}

exports.DEFAULT_PAGE_SIZES = DEFAULT_PAGE_SIZES;
exports.createAddEntitiesOperation = createAddEntitiesOperation;
exports.createGraphqlClient = createGraphqlClient;
exports.createRemoveEntitiesOperation = createRemoveEntitiesOperation;
exports.createRestClient = createRestClient;
exports.getOrganizationRepositories = getOrganizationRepositories;
exports.getOrganizationRepository = getOrganizationRepository;
exports.getOrganizationTeam = getOrganizationTeam;
exports.getOrganizationTeams = getOrganizationTeams;
exports.getOrganizationTeamsForUser = getOrganizationTeamsForUser;
exports.getOrganizationTeamsFromUsers = getOrganizationTeamsFromUsers;
exports.getOrganizationUsers = getOrganizationUsers;
exports.getOrganizationsFromUser = getOrganizationsFromUser;
exports.getTeamMembers = getTeamMembers;
exports.isGitHubEnterprise = isGitHubEnterprise;
exports.isSuspended = isSuspended;
exports.queryWithPaging = queryWithPaging;
