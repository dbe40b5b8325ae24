using BenchmarkDotNet.Running;

// Micro-benchmarks of the hot paths; the side-by-side tables with the peers are benchmarks/Makemore.ML.Benchmarks (peers).
// dotnet run -c Release --project benchmarks/Makemore.ML.MicroBenchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Makemore.ML.MicroBenchmarks.Names).Assembly).Run(args);
