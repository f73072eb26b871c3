using System.CommandLine;
using JourneyFunctions.Cli;

var root = new RootCommand("journeys: validate, simulate, map and serve customer journeys written in JSON.");
foreach (var command in CliCommands.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
