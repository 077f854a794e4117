import { Box, Text } from 'ink';
import { KEY_HELP } from '../keys.js';
import { fit, formatBytes } from '../text.js';

/** `Loading [█████░░░░░] 52%  1.2 MB of 2.3 MB`: bytes read of the file, from `onProgress`. */
export function ProgressBar({ read, total, width, extra }: { read: number; total: number | null; width: number; extra: string }) {
  const barWidth = Math.max(10, Math.min(40, width - 50));
  const frac = total ? Math.min(1, read / total) : 0;
  const full = Math.round(frac * barWidth);
  return (
    <Text wrap="truncate">
      <Text color="yellow">Loading </Text>
      <Text color="green">{'█'.repeat(full)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - full)}</Text>
      <Text>{` ${total ? Math.floor(frac * 100) : '?'}%  ${formatBytes(read)}${total ? ` of ${formatBytes(total)}` : ''}  ${extra}`}</Text>
    </Text>
  );
}

export function Tabs({ names, current }: { names: ReadonlyArray<readonly [string, string]>; current: string }) {
  return (
    <Text wrap="truncate">
      {names.map(([id, label], i) => (
        <Text key={id} inverse={id === current} bold={id === current}>
          {`${i ? ' ' : ''} ${label} `}
        </Text>
      ))}
    </Text>
  );
}

/** The `/` prompt, with the error under it when the expression does not parse. */
export function Prompt({ kind, text, error, column, width }: { kind: 'filter' | 'search' | 'packets'; text: string; error: string | null; column: number | null; width: number }) {
  const label = kind === 'filter' ? 'filter /' : kind === 'packets' ? 'packet filter /' : 'search /';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold color="cyan">{`${label} `}</Text>
        <Text>{text}</Text>
        <Text inverse> </Text>
      </Text>
      {error ? (
        <Text wrap="truncate" color="red">
          {fit(`${column !== null ? ' '.repeat(label.length + 1 + column) + '^ ' : ''}${error}`, width)}
        </Text>
      ) : (
        <Text dimColor wrap="truncate">
          {kind === 'filter'
            ? 'Enter apply · Esc cancel · empty clears · e.g. http.status_code >= 400, dns.qname contains "umass", app == ftp'
            : kind === 'packets'
              ? "Enter apply to this flow's frames · Esc cancel · empty clears · e.g. tcp.analysis.retransmission, tcp.len > 0, tcp.flags.syn == 1"
              : 'Enter search · Esc cancel · then n / N'}
        </Text>
      )}
    </Box>
  );
}

export function Help({ height, width }: { height: number; width: number }) {
  const rows = KEY_HELP.slice(0, Math.max(1, height - 2));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color="cyan">
        Keys (? or Esc closes this help)
      </Text>
      {rows.map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          <Text bold>{fit(keys, 26, true)}</Text>
          <Text>{fit(what, Math.max(10, width - 27))}</Text>
        </Text>
      ))}
    </Box>
  );
}
