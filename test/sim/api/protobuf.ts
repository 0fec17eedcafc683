/**
 * Just enough of Kubernetes' protobuf encoding to read what kubectl sends as protobuf
 * (`kubectl create namespace`, `kubectl create configmap`): the "k8s\0" envelope of a runtime.Unknown
 * (k8s.io/apimachinery/pkg/runtime/generated.proto: typeMeta=1, raw=2), TypeMeta (apiVersion=1, kind=2),
 * ObjectMeta (name=1, generateName=2, namespace=3, labels=11, annotations=12; generated.proto of
 * apimachinery/pkg/apis/meta/v1) and a ConfigMap's data=2 and binaryData=3 (k8s.io/api/core/v1).
 */
import type { Json } from './status.js';

type Field = { number: number; wire: number; value: bigint | Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    const number = key >> 3;
    if (wire === 0) out.push({ number, wire, value: varint() });
    else if (wire === 2) {
      const length = Number(varint());
      out.push({ number, wire, value: buf.subarray(i, i + length) });
      i += length;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`protobuf: wire type ${wire} not supported`);
  }
  return out;
}

const text = (f: Field | undefined) => (f && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined);
const map = (entries: Field[]) => Object.fromEntries(entries.map((e) => fields(e.value as Buffer)).map((kv) => [text(kv.find((f) => f.number === 1)) ?? '', text(kv.find((f) => f.number === 2)) ?? '']));

/** Decodes a protobuf request body into the JSON object it stands for (metadata, and a ConfigMap's data). */
export function decodeProtobufObject(body: Buffer): Json {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('protobuf: missing the k8s envelope');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields((unknown.find((f) => f.number === 1)?.value as Buffer) ?? Buffer.alloc(0));
  const object = fields((unknown.find((f) => f.number === 2)?.value as Buffer) ?? Buffer.alloc(0));
  const meta = fields((object.find((f) => f.number === 1)?.value as Buffer) ?? Buffer.alloc(0));
  const result: Json = {
    apiVersion: text(typeMeta.find((f) => f.number === 1)),
    kind: text(typeMeta.find((f) => f.number === 2)),
    metadata: Object.fromEntries(
      Object.entries({
        name: text(meta.find((f) => f.number === 1)),
        generateName: text(meta.find((f) => f.number === 2)),
        namespace: text(meta.find((f) => f.number === 3)),
        labels: meta.some((f) => f.number === 11) ? map(meta.filter((f) => f.number === 11)) : undefined,
        annotations: meta.some((f) => f.number === 12) ? map(meta.filter((f) => f.number === 12)) : undefined,
      }).filter(([, v]) => v !== undefined),
    ),
  };
  if (result.kind === 'ConfigMap') {
    const data = object.filter((f) => f.number === 2);
    if (data.length > 0) result.data = map(data);
  }
  return result;
}
