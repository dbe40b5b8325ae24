using Makemore.Cli;
using Makemore.Cli.Internal;

// Every command but serve is batch work: full collections block instead of running beside it, since a background
// collection lets the heap grow while it runs (train ngram of an 8-gram model of 886k names: peak RSS 580–635 MiB with
// background collections, 545 MiB without, in the same time; docs/benchmarks.md). serve answers requests and keeps them.
if (args is not ["serve", ..])
    System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;

using var output = StandardOutput.Open();
return MakemoreCli.Run(args, output, Console.Error);
