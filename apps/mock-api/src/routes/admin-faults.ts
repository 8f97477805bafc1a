import { createHash, timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import { HttpError } from '../errors/http-error.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { parseFaultProfile } from '../faults/fault-profile.js';
import { jsonBody, requireJsonContentType } from '../http/require-json.js';

export const ADMIN_FAULTS_PATH = '/__admin/faults';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** 401 unless `Authorization: Bearer <token>` matches (compared in constant time). */
function requireBearer(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]+)$/i.exec(header);
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="mock-api admin"');
    next(new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.'));
  };
}

/**
 * `GET /__admin/faults` (the profile and stats), `PUT` (replace the profile; 400 with every reason when it is
 * not valid), `DELETE` (remove it and zero the stats; 204). Mounted only when faults are enabled.
 */
export function createAdminFaultsRouter(injector: FaultInjector, adminToken: string): Router {
  const router = Router();
  router.use(ADMIN_FAULTS_PATH, requireBearer(adminToken));
  router.get(ADMIN_FAULTS_PATH, (_req, res) => {
    res.json(injector.state());
  });
  router.put(ADMIN_FAULTS_PATH, requireJsonContentType, jsonBody(), (req, res) => {
    const parsed = parseFaultProfile(req.body);
    if (!parsed.ok) {
      throw new HttpError(400, 'invalid_fault_profile', parsed.problems.join('; '), {
        details: { problems: parsed.problems },
      });
    }
    injector.setProfile(parsed.profile);
    res.json(injector.state());
  });
  router.delete(ADMIN_FAULTS_PATH, (_req, res) => {
    injector.clear();
    res.status(204).end();
  });
  return router;
}
