import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { browserTimeZone } from './time-zone';

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [browserTimeZone(), 'UTC'];
  }
}

export function TimeZoneSelect({
  value,
  onChange,
  label = 'Time zone',
  description,
}: {
  value: string | null;
  onChange: (tz: string | null) => void;
  label?: string;
  description?: string;
}) {
  const data = useMemo(() => {
    const all = zones();
    return value && !all.includes(value) ? [value, ...all] : all;
  }, [value]);
  return (
    <Select
      label={label}
      description={description ?? 'Dates and times are shown in this zone.'}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      clearButtonProps={{ 'aria-label': 'Clear the time zone' }}
      limit={50}
      nothingFoundMessage="No such time zone"
    />
  );
}
