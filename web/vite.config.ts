import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// amazon-cognito-identity-js reaches for Node's `global`; the browser's is globalThis.
export default defineConfig({
  plugins: [react()],
  define: { global: "globalThis" },
  build: { outDir: "dist", sourcemap: false },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
