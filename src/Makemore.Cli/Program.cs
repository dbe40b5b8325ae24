using Makemore.Cli;
using Makemore.Cli.Internal;

using var output = StandardOutput.Open();
return MakemoreCli.Run(args, output, Console.Error);
