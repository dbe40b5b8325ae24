using Makemore.Cli;

return MakemoreCli.Run(args, Console.Out, Console.Error);
