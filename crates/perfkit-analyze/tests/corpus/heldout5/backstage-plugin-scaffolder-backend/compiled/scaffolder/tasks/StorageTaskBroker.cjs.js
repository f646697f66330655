'use strict';

var ObservableImpl = require('zen-observable');
var WorkspaceService = require('./WorkspaceService.cjs.js');
var helper = require('./helper.cjs.js');
var taskRecoveryHelper = require('./taskRecoveryHelper.cjs.js');

function _interopDefaultCompat (e) { return e && typeof e === 'object' && 'default' in e ? e : { default: e }; }

var ObservableImpl__default = /*#__PURE__*/_interopDefaultCompat(ObservableImpl);

class TaskManager {
  isDone = false;
  heartbeatTimeoutId;
  static create(task, storage, abortSignal, logger, auth, workspaceProvider) {
    const workspaceService = WorkspaceService.DefaultWorkspaceService.create(
      task,
      workspaceProvider
    );
    const agent = new TaskManager(
      task,
      storage,
      abortSignal,
      logger,
      workspaceService,
      auth
    );
    agent.startTimeout();
    return agent;
  }
  task;
  storage;
  signal;
  logger;
  workspaceService;
  auth;
  // Runs heartbeat internally
  constructor(task, storage, signal, logger, workspaceService, auth) {
    this.task = task;
    this.storage = storage;
    this.signal = signal;
    this.logger = logger;
    this.workspaceService = workspaceService;
    this.auth = auth;
  }
  get taskId() {
    return this.task.taskId;
  }
  get spec() {
    return this.task.spec;
  }
  get cancelSignal() {
    return this.signal;
  }
  get secrets() {
    return this.task.secrets;
  }
  get createdBy() {
    return this.task.createdBy;
  }
  async getWorkspaceName() {
    return this.task.taskId;
  }
  async rehydrateWorkspace(options) {
    await this.workspaceService.rehydrateWorkspace(options);
  }
  get done() {
    return this.isDone;
  }
  async emitLog(message, logMetadata) {
    await this.storage.emitLogEvent({
      taskId: this.task.taskId,
      body: { message, ...logMetadata }
    });
  }
  async getTaskState() {
    return this.storage.getTaskState?.({ taskId: this.task.taskId });
  }
  async updateCheckpoint(options) {
    const { key, ...value } = options;
    this.task.state ??= { checkpoints: {}, steps: {} };
    this.task.state.checkpoints ??= {};
    this.task.state.checkpoints[key] = value;
    await this.storage.saveTaskState?.({
      taskId: this.task.taskId,
      state: this.task.state
    });
  }
  async updateStepState(options) {
    const { stepId, status, output } = options;
    this.task.state ??= { checkpoints: {}, steps: {} };
    this.task.state.steps ??= {};
    this.task.state.steps[stepId] = { status, output };
    await this.storage.saveTaskState({
      taskId: this.task.taskId,
      state: this.task.state
    });
  }
  async serializeWorkspace(options) {
    await this.workspaceService.serializeWorkspace(options);
  }
  async cleanWorkspace() {
    await this.workspaceService.cleanWorkspace();
  }
  async complete(result, metadata) {
    await this.storage.completeTask({
      taskId: this.task.taskId,
      status: result === "failed" ? "failed" : "completed",
      eventBody: {
        message: `Run completed with status: ${result}`,
        ...metadata
      }
    });
    this.isDone = true;
    if (this.heartbeatTimeoutId) {
      clearTimeout(this.heartbeatTimeoutId);
    }
    if (result === "completed") {
      try {
        await this.workspaceService.cleanWorkspace();
      } catch (error) {
        this.logger.warn(
          `Failed to clean workspace for task ${this.task.taskId}`,
          error
        );
      }
    }
  }
  startTimeout() {
    this.heartbeatTimeoutId = setTimeout(async () => {
      try {
        await this.storage.heartbeatTask(this.task.taskId);
        this.startTimeout();
      } catch (error) {
        this.isDone = true;
        this.logger.error(
          `Heartbeat for task ${this.task.taskId} failed`,
          error
        );
      }
    }, 1e3);
  }
  async getInitiatorCredentials() {
    const secrets = this.task.secrets;
    if (secrets && secrets.__initiatorCredentials) {
      return JSON.parse(secrets.__initiatorCredentials);
    }
    if (!this.auth) {
      throw new Error(
        "Failed to create none credentials in scaffolder task. The TaskManager has not been initialized with an auth service implementation"
      );
    }
    return this.auth.getNoneCredentials();
  }
}
class StorageTaskBroker {
  storage;
  logger;
  config;
  auth;
  workspaceProvider;
  auditor;
  constructor(storage, logger, config, auth, additionalWorkspaceProviders, auditor) {
    this.storage = storage;
    this.logger = logger;
    this.config = config;
    this.auth = auth;
    this.workspaceProvider = WorkspaceService.resolveWorkspaceProvider(
      additionalWorkspaceProviders,
      config
    );
    this.auditor = auditor;
  }
  async list(options) {
    if (!this.storage.list) {
      throw new Error(
        "TaskStore does not implement the list method. Please implement the list method to be able to list tasks"
      );
    }
    return await this.storage.list(options ?? {});
  }
  dispatchWaiters = /* @__PURE__ */ new Set();
  async registerCancellable(taskId, abortController) {
    let shouldUnsubscribe = false;
    const subscription = this.event$({ taskId, after: void 0 }).subscribe({
      error: (_) => {
        subscription.unsubscribe();
      },
      next: ({ events }) => {
        for (const event of events) {
          if (event.type === "cancelled") {
            abortController.abort();
            shouldUnsubscribe = true;
          }
          if (event.type === "completion" && !event.isTaskRecoverable) {
            shouldUnsubscribe = true;
          }
        }
        if (shouldUnsubscribe) {
          subscription.unsubscribe();
        }
      }
    });
  }
  async recoverTasks() {
    const enabled = taskRecoveryHelper.isTaskRecoveryEnabled(this.config);
    if (!enabled) {
      return;
    }
    const defaultTimeout = { seconds: 30 };
    const timeout = this.config?.has("scaffolder.taskRecovery.staleTimeout") ? helper.readDuration(
      this.config,
      "scaffolder.taskRecovery.staleTimeout",
      defaultTimeout
    ) : helper.readDuration(
      this.config,
      "scaffolder.EXPERIMENTAL_recoverTasksTimeout",
      defaultTimeout
    );
    const { ids: recoveredTaskIds } = await this.storage.recoverTasks?.({
      timeout
    }) ?? { ids: [] };
    if (recoveredTaskIds.length > 0) {
      this.signalDispatch();
    }
  }
  /**
   * {@inheritdoc TaskBroker.claim}
   */
  async claim(options) {
    for (; ; ) {
      options?.signal?.throwIfAborted();
      const pendingTask = await this.storage.claimTask();
      if (pendingTask) {
        const abortController = new AbortController();
        await this.registerCancellable(pendingTask.id, abortController);
        return TaskManager.create(
          {
            taskId: pendingTask.id,
            spec: pendingTask.spec,
            secrets: pendingTask.secrets,
            createdBy: pendingTask.createdBy,
            state: pendingTask.state
          },
          this.storage,
          abortController.signal,
          this.logger,
          this.auth,
          this.workspaceProvider
        );
      }
      await this.waitForDispatch(options?.signal);
    }
  }
  /**
   * {@inheritdoc TaskBroker.dispatch}
   */
  async dispatch(options) {
    const taskRow = await this.storage.createTask(options);
    this.signalDispatch();
    return {
      taskId: taskRow.taskId
    };
  }
  /**
   * {@inheritdoc TaskBroker.get}
   */
  async get(taskId) {
    return this.storage.getTask(taskId);
  }
  /**
   * {@inheritdoc TaskBroker.event$}
   */
  event$(options) {
    return new ObservableImpl__default.default((observer) => {
      const { taskId } = options;
      let after = options.after;
      let cancelled = false;
      (async () => {
        const task = await this.storage.getTask(taskId);
        const isTaskRecoverable = task.spec.EXPERIMENTAL_recovery?.EXPERIMENTAL_strategy === "startOver";
        while (!cancelled) {
          const result = await this.storage.listEvents({
            taskId,
            after,
            isTaskRecoverable
          });
          const { events } = result;
          if (events.length) {
            after = events[events.length - 1].id;
            observer.next(result);
          }
          await new Promise((resolve) => setTimeout(resolve, 1e3));
        }
      })();
      return () => {
        cancelled = true;
      };
    });
  }
  /**
   * {@inheritdoc TaskBroker.vacuumTasks}
   */
  async vacuumTasks(options) {
    const { tasks } = await this.storage.listStaleTasks(options);
    await Promise.all(
      tasks.map(async (task) => {
        const auditorEvent = await this.auditor?.createEvent({
          eventId: "task",
          severityLevel: "medium",
          meta: {
            actionType: "stale-cancel",
            taskId: task.taskId
          }
        });
        try {
          await this.storage.completeTask({
            taskId: task.taskId,
            status: "failed",
            eventBody: {
              message: "The task was cancelled because the task worker lost connection to the task broker"
            }
          });
          await auditorEvent?.success();
        } catch (error) {
          this.logger.warn(`Failed to cancel task '${task.taskId}', ${error}`);
          await auditorEvent?.fail({ error });
        }
      })
    );
  }
  waitForDispatch(signal) {
    return new Promise((resolve, reject) => {
      const onDispatch = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(signal?.reason);
      };
      const dispatchWaiters = this.dispatchWaiters;
      function cleanup() {
        dispatchWaiters.delete(onDispatch);
        signal?.removeEventListener("abort", onAbort);
      }
      this.dispatchWaiters.add(onDispatch);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) {
        onAbort();
      }
    });
  }
  signalDispatch() {
    const waiters = [...this.dispatchWaiters];
    this.dispatchWaiters.clear();
    for (const waiter of waiters) {
      waiter();
    }
  }
  async cancel(taskId) {
    const { events } = await this.storage.listEvents({ taskId });
    const currentStepId = events.length > 0 ? events.filter(({ body }) => body?.stepId).reduce((prev, curr) => prev.id > curr.id ? prev : curr).body.stepId : 0;
    await this.storage.cancelTask?.({
      taskId,
      body: {
        message: `Step ${currentStepId} has been cancelled.`,
        stepId: currentStepId,
        status: "cancelled"
      }
    });
  }
  async retry(options) {
    await this.storage.retryTask?.(options);
    this.signalDispatch();
  }
}

exports.StorageTaskBroker = StorageTaskBroker;
exports.TaskManager = TaskManager;
