import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTeams, mountTeams, type Teams } from '../../adapters/teams/teams-app.js';
import { teamsMode } from '../../adapters/teams/teams-config.js';
import { testRuntime, type TestRuntime } from './runtime.js';

/** A test runtime serving `POST /api/messages` in this process, Teams in development mode. */
export interface TeamsInProcess {
  rt: TestRuntime;
  teams: Teams;
  /** The `POST /api/messages` URL. */
  url: string;
  /** Posts an activity without a token; resolves to the status and the JSON body, if any. */
  post(activity: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function teamsInProcess(yaml: string): Promise<TeamsInProcess> {
  const rt = await testRuntime();
  const mode = teamsMode(rt.env);
  if (mode.kind !== 'development') throw new Error('expected development mode in tests');
  const teams = createTeams(mode, rt.log);
  rt.ctx.chat = { teams: teams.chat };
  await rt.importYaml(yaml);
  const app = express();
  mountTeams(app, teams, rt.ctx);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    rt,
    teams,
    url,
    async post(activity) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rt.dispose();
    },
  };
}
