import { Anchor } from '@mantine/core';

/**
 * "Use a passkey", "Use the authenticator app"…: one link for each way of proving who you are other than
 * the one in use (the sign-in's second step and the step-up dialog both offer them).
 */
export function OtherMethodLinks<M extends string>({
  methods,
  current,
  labels,
  onChoose,
}: {
  methods: readonly M[];
  current: M;
  labels: Record<M, string>;
  onChoose: (method: M) => void;
}) {
  return (
    <>
      {methods
        .filter((m) => m !== current)
        .map((m) => (
          <Anchor key={m} component="button" type="button" size="sm" onClick={() => onChoose(m)}>
            {labels[m]}
          </Anchor>
        ))}
    </>
  );
}
