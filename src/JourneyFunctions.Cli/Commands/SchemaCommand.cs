using System.CommandLine;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Cli.Commands;

/// <summary><c>journeys schema</c>: prints the journey JSON Schema, so <c>journeys schema &gt; schema/journey.schema.json</c> regenerates it.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", $"Print the JSON Schema of journey files (regenerate it with: journeys schema > {JourneySchema.RelativePath}).");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.Write(JourneySchema.Generate());
            return 0;
        });
        return command;
    }
}
