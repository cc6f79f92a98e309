import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

// The locale is chosen per request (saved choice, Accept-Language), never from the URL: the
// request configuration lives with the other server-only code.
const withNextIntl = createNextIntlPlugin('./src/server/i18n-request.ts');

// The API origin is NOT configured here: rewrites would bake API_UPSTREAM_URL into the build.
// The route handler in src/app/api/[...path] reads it per request, so one build serves any host.
const nextConfig: NextConfig = {
  transpilePackages: ['@cairn/contract'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The build compiles; `npm run typecheck` checks the types (the web with the rest, in CI). Next
  // would type-check the app again inside every build: 14 s of CPU on the critical path of a
  // first `npm start` (scripts/start.mjs) and of CI's web build.
  typescript: { ignoreBuildErrors: true },
};

export default withNextIntl(nextConfig);
