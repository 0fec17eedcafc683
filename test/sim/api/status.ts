/** A Kubernetes API error answered as a metav1.Status (k8s.io/apimachinery/pkg/api/errors). */
export type Json = Record<string, any>;

export class HttpStatus extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

/** `<resource>[.<group>] "<name>" not found`, as apierrors.NewNotFound words it. */
export const notFound = (resource: string, name: string, group = ''): HttpStatus =>
  new HttpStatus(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, kind: resource, ...(group ? { group } : {}) });

export const conflict = (resource: string, name: string): HttpStatus =>
  new HttpStatus(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource });

export const alreadyExists = (resource: string, name: string, group = ''): HttpStatus =>
  new HttpStatus(409, 'AlreadyExists', `${resource}${group ? `.${group}` : ''} "${name}" already exists`, { name, kind: resource, ...(group ? { group } : {}) });

export function statusBody(err: HttpStatus): Json {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason,
    ...(err.details ? { details: err.details } : {}), code: err.code,
  };
}
