export declare const REDIS_SERVER_BIN: string;
export declare const REDIS_CLI_BIN: string;

export interface ClusterNodeProcess {
  readonly port: number;
  readonly pid: number;
}

export interface ClusterNodeView {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  readonly failed: boolean;
  readonly masterId: string | undefined;
  readonly connected: boolean;
}

export interface LocalRedisCluster {
  readonly dir: string;
  readonly nodes: readonly ClusterNodeProcess[];
  readonly ports: readonly number[];
  seedUrls(): string[];
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
  topology(viaPort?: number): Promise<ClusterNodeView[]>;
}

export interface StartRedisClusterOptions {
  readonly dir: string;
  /** @default 3 */
  readonly masters?: number;
  /** @default 1 */
  readonly replicasPerMaster?: number;
  /** @default free ports */
  readonly ports?: readonly number[];
  /** @default false */
  readonly detached?: boolean;
}

export declare function freePort(): Promise<number>;
export declare function redisCli(port: number, ...args: string[]): Promise<string>;
export declare function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  options?: { boundMs?: number; pauseMs?: number },
): Promise<void>;
export declare function clusterNodes(port: number): Promise<ClusterNodeView[]>;
export declare function clusterState(port: number): Promise<string>;
export declare function ownRole(port: number): Promise<string>;
export declare function startRedisCluster(options: StartRedisClusterOptions): Promise<LocalRedisCluster>;
export declare function waitUntilHealthy(livePorts: readonly number[], masters: number): Promise<void>;
export declare function stopDetachedNodes(nodes: readonly ClusterNodeProcess[]): Promise<void>;
