// One module per icon (see ui/icons.ts): the departments, cost report and roles pages' own icons.
export { default as IconArchive } from '@tabler/icons-react/icons/IconArchive';
export { default as IconArrowRight } from '@tabler/icons-react/icons/IconArrowRight';
export { default as IconArrowsMove } from '@tabler/icons-react/icons/IconArrowsMove';
export { default as IconCircleCheck } from '@tabler/icons-react/icons/IconCircleCheck';
export { default as IconCircleMinus } from '@tabler/icons-react/icons/IconCircleMinus';
export { default as IconCirclePlus } from '@tabler/icons-react/icons/IconCirclePlus';
export { default as IconDownload } from '@tabler/icons-react/icons/IconDownload';
export { default as IconPencil } from '@tabler/icons-react/icons/IconPencil';
export { default as IconReportMoney } from '@tabler/icons-react/icons/IconReportMoney';
export { default as IconShieldCheck } from '@tabler/icons-react/icons/IconShieldCheck';
export { default as IconSitemap } from '@tabler/icons-react/icons/IconSitemap';
