// (c) of the benchmark: zod 4 with the schema a JS developer would write for
// the contract. Unknown fields and sections are kept (looseObject), like the
// package does. Warnings (unknown modality, duplicates, unknown keys) have no
// zod equivalent short of hand-written refinements; the schema leaves them
// out, which only makes zod's numbers look better.
import { z } from 'zod';

const RunOption = z.looseObject({ key: z.string().min(1), options: z.array(z.string()) });
const Model = z.looseObject({
  model: z.string().min(1),
  modality: z.string(),
  availableRunOptions: z.array(RunOption),
});
const Envelope = z.object({
  status: z.literal('SUCCESS'),
  message: z.unknown().optional(),
  data: z.object({
    hash: z.string().max(256).regex(/^[A-Za-z0-9_-]+={0,2}$/),
    resources: z.looseObject({ models: z.array(Model) }),
  }),
});

/** A parsed body, validated: `{ hash, resources, warnings }` or a ZodError. */
export function checkWithZod(value) {
  const { data } = Envelope.parse(value);
  return { hash: data.hash, resources: data.resources, warnings: [] };
}

/** (c): from the body text to the validated result. */
export function parseWithZod(text) {
  return checkWithZod(JSON.parse(text));
}
