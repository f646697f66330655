'use strict';

var catalogModel = require('@backstage/catalog-model');
var integration = require('@backstage/integration');
var graphql = require('@octokit/graphql');
var node_crypto = require('node:crypto');
var defaultTransformers = require('../lib/defaultTransformers.cjs.js');
var github = require('../lib/github.cjs.js');
var guards = require('../lib/guards.cjs.js');
var org = require('../lib/org.cjs.js');
var util = require('../lib/util.cjs.js');
var withLocations = require('../lib/withLocations.cjs.js');
var lodash = require('lodash');

const EVENT_TOPICS = [
  "github.membership",
  "github.organization",
  "github.team"
];
class GithubOrgEntityProvider {
  constructor(options) {
    this.options = options;
    this.credentialsProvider = options.githubCredentialsProvider || integration.SingleInstanceGithubCredentialsProvider.create(this.options.gitHubConfig);
  }
  credentialsProvider;
  cachedRestClient;
  connection;
  scheduleFn;
  static fromConfig(config, options) {
    const integrations = integration.ScmIntegrations.fromConfig(config);
    const gitHubConfig = integrations.github.byUrl(options.orgUrl)?.config;
    if (!gitHubConfig) {
      throw new Error(
        `There is no GitHub Org provider that matches ${options.orgUrl}. Please add a configuration for an integration.`
      );
    }
    const logger = options.logger.child({
      target: options.orgUrl
    });
    const provider = new GithubOrgEntityProvider({
      id: options.id,
      orgUrl: options.orgUrl,
      logger,
      gitHubConfig,
      githubCredentialsProvider: options.githubCredentialsProvider || integration.DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      userTransformer: options.userTransformer,
      teamTransformer: options.teamTransformer,
      events: options.events,
      pageSizes: options.pageSizes,
      excludeSuspendedUsers: options.excludeSuspendedUsers,
      cache: options.cache,
      experimental_checkForSuspendedUsersWithRest: options.experimental_checkForSuspendedUsersWithRest
    });
    provider.schedule(options.schedule);
    return provider;
  }
  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName() {
    return `GithubOrgEntityProvider:${this.options.id}`;
  }
  getPageSizes() {
    return {
      ...github.DEFAULT_PAGE_SIZES,
      ...this.options.pageSizes
    };
  }
  get useRestSuspendedCheck() {
    return !!this.options.excludeSuspendedUsers && !!this.options.experimental_checkForSuspendedUsersWithRest;
  }
  isGitHubEnterprise = lodash.memoize(
    () => github.isGitHubEnterprise(this.getRestClient())
  );
  getRestClient() {
    if (!this.cachedRestClient) {
      this.cachedRestClient = github.createRestClient({
        baseUrl: this.options.gitHubConfig.apiBaseUrl,
        orgUrl: this.options.orgUrl,
        credentialsProvider: this.credentialsProvider,
        logger: this.options.logger,
        cache: this.options.cache
      });
    }
    return this.cachedRestClient;
  }
  async shouldExclude(login, org) {
    if (!this.useRestSuspendedCheck) {
      return false;
    }
    const restClient = this.getRestClient();
    return await this.isGitHubEnterprise() && await github.isSuspended(login, restClient, { org });
  }
  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection) {
    this.connection = connection;
    await this.options.events?.subscribe({
      id: this.getProviderName(),
      topics: EVENT_TOPICS,
      onEvent: (params) => this.onEvent(params)
    });
    await this.scheduleFn?.();
  }
  /**
   * Runs one single complete ingestion. This is only necessary if you use
   * manual scheduling.
   */
  async read(options) {
    if (!this.connection) {
      throw new Error("Not initialized");
    }
    const logger = options?.logger ?? this.options.logger;
    const { markReadComplete } = trackProgress(logger);
    const { headers, type: tokenType } = await this.credentialsProvider.getCredentials({
      url: this.options.orgUrl
    });
    const client = github.createGraphqlClient({
      headers,
      baseUrl: this.options.gitHubConfig.apiBaseUrl,
      logger
    });
    const { org: org$1 } = util.parseGithubOrgUrl(this.options.orgUrl);
    const pageSizes = this.getPageSizes();
    const { users } = await github.getOrganizationUsers(
      client,
      org$1,
      tokenType,
      this.options.userTransformer,
      pageSizes,
      this.options.excludeSuspendedUsers,
      this.useRestSuspendedCheck ? this.getRestClient() : void 0
    );
    const { teams } = await github.getOrganizationTeams(
      client,
      org$1,
      this.options.teamTransformer,
      pageSizes
    );
    if (guards.areGroupEntities(teams)) {
      org.buildOrgHierarchy(teams);
      if (guards.areUserEntities(users)) {
        org.assignGroupsToUsers(users, teams);
      }
    }
    const { markCommitComplete } = markReadComplete({ users, teams });
    await this.connection.applyMutation({
      type: "full",
      entities: [...users, ...teams].map((entity) => ({
        locationKey: `github-org-provider:${this.options.id}`,
        entity: withLocations.withLocations(
          `https://${this.options.gitHubConfig.host}`,
          org$1,
          entity
        )
      }))
    });
    markCommitComplete();
  }
  async onEvent(params) {
    const { logger } = this.options;
    logger.debug(`Received event from ${params.topic}`);
    const addEntitiesOperation = github.createAddEntitiesOperation(
      this.options.id,
      this.options.gitHubConfig.host
    );
    const removeEntitiesOperation = github.createRemoveEntitiesOperation(
      this.options.id,
      this.options.gitHubConfig.host
    );
    if (params.topic.includes("organization")) {
      const orgEvent = params.eventPayload;
      if (orgEvent.action === "member_added" || orgEvent.action === "member_removed") {
        const createDeltaOperation = orgEvent.action === "member_added" ? addEntitiesOperation : removeEntitiesOperation;
        await this.onMemberChangeInOrganization(orgEvent, createDeltaOperation);
      }
    }
    if (params.topic.includes("team")) {
      const teamEvent = params.eventPayload;
      if (teamEvent.action === "created" || teamEvent.action === "deleted") {
        const createDeltaOperation = teamEvent.action === "created" ? addEntitiesOperation : removeEntitiesOperation;
        await this.onTeamChangeInOrganization(teamEvent, createDeltaOperation);
      } else if (teamEvent.action === "edited") {
        await this.onTeamEditedInOrganization(
          teamEvent,
          addEntitiesOperation,
          removeEntitiesOperation
        );
      }
    }
    if (params.topic.includes("membership")) {
      const membershipEvent = params.eventPayload;
      await this.onMembershipChangedInOrganization(
        membershipEvent,
        addEntitiesOperation,
        removeEntitiesOperation
      );
    }
    return;
  }
  async onTeamEditedInOrganization(event, addEntitiesOperation, removeEntitiesOperation) {
    if (!this.connection) {
      throw new Error("Not initialized");
    }
    const teamSlug = event.team.slug;
    const { headers, type: tokenType } = await this.credentialsProvider.getCredentials({
      url: this.options.orgUrl
    });
    const client = graphql.graphql.defaults({
      baseUrl: this.options.gitHubConfig.apiBaseUrl,
      headers
    });
    const { org: org$1 } = util.parseGithubOrgUrl(this.options.orgUrl);
    const pageSizes = this.getPageSizes();
    const { team } = await github.getOrganizationTeam(
      client,
      org$1,
      teamSlug,
      this.options.teamTransformer
    );
    const { users } = await github.getOrganizationUsers(
      client,
      org$1,
      tokenType,
      this.options.userTransformer,
      pageSizes,
      this.options.excludeSuspendedUsers,
      this.useRestSuspendedCheck ? this.getRestClient() : void 0
    );
    if (!catalogModel.isGroupEntity(team)) {
      return;
    }
    const usersFromChangedGroup = team.spec.members || [];
    const usersToRebuild = users.filter(
      (u) => usersFromChangedGroup.includes(u.metadata.name)
    );
    const { teams } = await github.getOrganizationTeamsFromUsers(
      client,
      org$1,
      usersToRebuild.map((u) => u.metadata.name),
      this.options.teamTransformer,
      pageSizes
    );
    if (guards.areGroupEntities(teams)) {
      org.buildOrgHierarchy(teams);
      if (guards.areUserEntities(usersToRebuild)) {
        org.assignGroupsToUsers(usersToRebuild, teams);
      }
    }
    const teamTransformer = this.options.teamTransformer || defaultTransformers.defaultOrganizationTeamTransformer;
    const oldName = event.changes.name?.from || "";
    const oldSlug = oldName.toLowerCase().replaceAll(/\s/gi, "-");
    const oldGroup = await teamTransformer(
      {
        name: event.changes.name?.from,
        slug: oldSlug,
        combinedSlug: `${org$1}/${oldSlug}`,
        description: event.changes.description?.from,
        parentTeam: event.team?.parent?.slug ? { slug: event.team.parent.slug } : void 0,
        // entity will be removed
        members: []
      },
      {
        org: org$1,
        client,
        query: ""
      }
    );
    const { removed } = removeEntitiesOperation(org$1, [oldGroup]);
    const { added } = addEntitiesOperation(org$1, [...usersToRebuild, team]);
    await this.connection.applyMutation({
      type: "delta",
      removed,
      added
    });
  }
  async onMembershipChangedInOrganization(event, addEntitiesOperation, removeEntitiesOperation) {
    if (!this.connection) {
      throw new Error("Not initialized");
    }
    if (!("slug" in event.team)) {
      return;
    }
    const teamSlug = event.team.slug;
    const { headers } = await this.credentialsProvider.getCredentials({
      url: this.options.orgUrl
    });
    const client = graphql.graphql.defaults({
      baseUrl: this.options.gitHubConfig.apiBaseUrl,
      headers
    });
    const { org: org$1 } = util.parseGithubOrgUrl(this.options.orgUrl);
    const pageSizes = this.getPageSizes();
    const { team } = await github.getOrganizationTeam(
      client,
      org$1,
      teamSlug,
      this.options.teamTransformer,
      pageSizes
    );
    const userTransformer = this.options.userTransformer || defaultTransformers.defaultUserTransformer;
    const { name, avatar_url: avatarUrl, email, login, node_id } = event.member;
    const user = await userTransformer(
      {
        name,
        avatarUrl,
        login,
        email: email ?? void 0,
        id: node_id
      },
      {
        org: org$1,
        client,
        query: ""
      }
    );
    const addedEntities = [team];
    const removedEntities = [];
    if (user && catalogModel.isUserEntity(user)) {
      if (await this.shouldExclude(login, org$1)) {
        removedEntities.push(user);
      } else {
        const teamTransformer = this.options.teamTransformer || defaultTransformers.defaultOrganizationTeamTransformer;
        const { teams } = await github.getOrganizationTeamsForUser(
          client,
          org$1,
          login,
          teamTransformer,
          pageSizes
        );
        if (guards.areGroupEntities(teams)) {
          org.assignGroupsToUser(user, teams);
        }
        addedEntities.push(user);
      }
    }
    const materializedAddOperation = addEntitiesOperation(org$1, addedEntities);
    const materializedRemoveOperation = removeEntitiesOperation(
      org$1,
      removedEntities
    );
    await this.connection.applyMutation({
      type: "delta",
      removed: [
        ...materializedAddOperation.removed,
        ...materializedRemoveOperation.removed
      ],
      added: [
        ...materializedAddOperation.added,
        ...materializedRemoveOperation.added
      ]
    });
  }
  async onTeamChangeInOrganization(event, createDeltaOperation) {
    if (!this.connection) {
      throw new Error("Not initialized");
    }
    const organizationTeamTransformer = this.options.teamTransformer || defaultTransformers.defaultOrganizationTeamTransformer;
    const { name, html_url: url, description, slug } = event.team;
    const org = event.organization.login;
    const { headers } = await this.credentialsProvider.getCredentials({
      url: this.options.orgUrl
    });
    const client = graphql.graphql.defaults({
      baseUrl: this.options.gitHubConfig.apiBaseUrl,
      headers
    });
    const group = await organizationTeamTransformer(
      {
        name,
        slug,
        editTeamUrl: `${url}/edit`,
        combinedSlug: `${org}/${slug}`,
        description: description || void 0,
        parentTeam: event.team?.parent?.slug ? { slug: event.team.parent.slug } : void 0,
        // entity will be removed
        members: []
      },
      {
        org,
        client,
        query: ""
      }
    );
    const { added, removed } = createDeltaOperation(org, [group]);
    await this.connection.applyMutation({
      type: "delta",
      removed,
      added
    });
  }
  async onMemberChangeInOrganization(event, createDeltaOperation) {
    if (!this.connection) {
      throw new Error("Not initialized");
    }
    const userTransformer = this.options.userTransformer || defaultTransformers.defaultUserTransformer;
    const {
      name,
      avatar_url: avatarUrl,
      email,
      login,
      node_id
    } = event.membership.user;
    const org = event.organization.login;
    if (event.action === "member_added" && await this.shouldExclude(login, org)) {
      return;
    }
    const { headers } = await this.credentialsProvider.getCredentials({
      url: this.options.orgUrl
    });
    const client = graphql.graphql.defaults({
      baseUrl: this.options.gitHubConfig.apiBaseUrl,
      headers
    });
    const user = await userTransformer(
      {
        name,
        avatarUrl,
        login,
        email: email || void 0,
        id: node_id,
        // we don't have this information in the event, so the refresh will handle that for us
        organizationVerifiedDomainEmails: []
      },
      {
        org,
        client,
        query: ""
      }
    );
    const { added, removed } = createDeltaOperation(org, [user]);
    await this.connection.applyMutation({
      type: "delta",
      removed,
      added
    });
  }
  schedule(schedule) {
    if (!schedule || schedule === "manual") {
      return;
    }
    this.scheduleFn = async () => {
      const id = `${this.getProviderName()}:refresh`;
      await schedule.run({
        id,
        fn: async () => {
          const logger = this.options.logger.child({
            class: GithubOrgEntityProvider.prototype.constructor.name,
            taskId: id,
            taskInstanceId: node_crypto.randomUUID()
          });
          try {
            await this.read({ logger });
          } catch (error) {
            logger.error(
              `${this.getProviderName()} refresh failed, ${error}`,
              error
            );
          }
        }
      });
    };
  }
}
function trackProgress(logger) {
  let timestamp = Date.now();
  let summary;
  logger.info("Reading GitHub users and teams");
  function markReadComplete(read) {
    summary = `${read.users.length} GitHub users and ${read.teams.length} GitHub teams`;
    const readDuration = ((Date.now() - timestamp) / 1e3).toFixed(1);
    timestamp = Date.now();
    logger.info(`Read ${summary} in ${readDuration} seconds. Committing...`);
    return { markCommitComplete };
  }
  function markCommitComplete() {
    const commitDuration = ((Date.now() - timestamp) / 1e3).toFixed(1);
    logger.info(`Committed ${summary} in ${commitDuration} seconds.`);
  }
  return { markReadComplete };
}

exports.GithubOrgEntityProvider = GithubOrgEntityProvider;
