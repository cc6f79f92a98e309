import { PortfolioPage } from '@/components/signals/portfolio-page';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('portfolio');

export default function Page() {
  return <PortfolioPage />;
}
