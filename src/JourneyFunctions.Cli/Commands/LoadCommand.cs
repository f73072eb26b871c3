using System.CommandLine;
using System.Text.Json;
using JourneyFunctions.Cli.Load;
using JourneyFunctions.Simulation;

namespace JourneyFunctions.Cli.Commands;

/// <summary>
/// <c>journeys load --contacts N --journey file --storage memory|azurite</c>: pushes N contacts through a journey
/// in-process over the real services and prints events/s, latency to email, memory per waiting run and (Azurite)
/// storage requests per step. Exit codes: 0 measured, 2 bad input or storage unreachable.
/// </summary>
public static class LoadCommand
{
    public static Command Create()
    {
        var contacts = new Option<int>("--contacts", "-n") { Description = "How many contacts (one trigger event each).", DefaultValueFactory = _ => 10_000 };
        var journey = new Option<FileInfo>("--journey", "-j") { Description = "The journey JSON (event-triggered).", Required = true };
        var storage = new Option<string>("--storage") { Description = "memory or azurite.", DefaultValueFactory = _ => "memory" };
        storage.AcceptOnlyFromAmong("memory", "azurite");
        var connection = new Option<string>("--connection-string")
        {
            Description = "Storage connection string for --storage azurite. Default: the Azurite development account.",
            DefaultValueFactory = _ => "UseDevelopmentStorage=true",
        };
        var workers = new Option<int>("--workers") { Description = "Concurrent routing workers. Default: the processor count.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var templates = new Option<DirectoryInfo?>("--templates") { Description = "The email templates folder. Default: a templates folder next to or above the journey." };
        var warmup = new Option<int?>("--warmup") { Description = "Contacts pushed first and not measured (JIT, caches). Default: 10% of --contacts, at least 500." };
        var noTimers = new Option<bool>("--no-timers") { Description = "Skip the phase that fires the runs' first timers." };
        var events = new Option<string?>("--events")
        {
            Description = "After the timers phase, send this event for a share of the contacts: <event>[:<share 0-1>], e.g. order.placed:0.5 (default share 0.5).",
        };
        var complete = new Option<bool>("--complete") { Description = "Then fire every later timer until no run waits, and report storage requests per completed run." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var profile = new Option<bool>("--profile") { Description = "Time every storage, queue, template and email call and show where each phase spends its time." };
        var command = new Command("load", "Push N contacts through a journey in-process and report events/s, latency to email, memory per waiting run and storage requests per step.")
        {
            contacts, journey, storage, connection, workers, templates, warmup, noTimers, events, complete, json, profile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(journey);
            var n = parse.GetValue(contacts);
            if (n < 1)
            {
                await error.WriteLineAsync("--contacts must be at least 1.");
                return 2;
            }

            Core.Model.JourneyDefinition definition;
            try
            {
                definition = await JourneySimulator.LoadJourneyAsync(file.FullName, cancellationToken);
            }
            catch (ScenarioException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return 2;
            }

            var templatesDir = parse.GetValue(templates)?.FullName ?? JourneySimulator.FindTemplates(file.FullName);
            if (templatesDir is null)
            {
                await error.WriteLineAsync($"No templates folder found next to or above {file.FullName}; give one with --templates.");
                return 2;
            }

            string? eventName = null;
            var eventShare = 0.5;
            if (parse.GetValue(events) is { Length: > 0 } spec)
            {
                var colon = spec.LastIndexOf(':');
                eventName = colon < 0 ? spec : spec[..colon];
                if (eventName.Length == 0
                    || (colon >= 0 && (!double.TryParse(spec.AsSpan(colon + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out eventShare) || eventShare is < 0 or > 1)))
                {
                    await error.WriteLineAsync($"--events must be <event>[:<share from 0 to 1>], e.g. order.placed:0.5; got '{spec}'.");
                    return 2;
                }
            }

            var options = new LoadOptions
            {
                Journey = definition,
                TemplatesDirectory = templatesDir,
                Contacts = n,
                Storage = parse.GetValue(storage) == "azurite" ? LoadStorage.Azurite : LoadStorage.Memory,
                ConnectionString = parse.GetValue(connection)!,
                Workers = Math.Max(1, parse.GetValue(workers)),
                FireTimers = !parse.GetValue(noTimers),
                Profile = parse.GetValue(profile),
                Warmup = parse.GetValue(warmup),
                EventName = eventName,
                EventShare = eventShare,
                Complete = parse.GetValue(complete),
            };
            LoadReport report;
            try
            {
                report = await LoadDriver.RunAsync(options, parse.GetValue(json) ? null : error, cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                await error.WriteLineAsync($"Load run failed: {ex.Message}");
                return 2;
            }

            await output.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(report, ScenarioFile.JsonOptions) + Environment.NewLine
                : LoadDriver.Format(report));
            return 0;
        });
        return command;
    }
}
