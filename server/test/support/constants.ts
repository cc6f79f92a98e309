/** Small vectors keep the suite fast; the code path is the same at any dimension. */
export const TEST_EMBEDDING_DIM = 256;
