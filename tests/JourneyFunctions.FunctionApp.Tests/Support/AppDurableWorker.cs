using Grpc.Net.Client;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Orchestration;
using JourneyFunctions.FunctionApp;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>
/// The Durable Task worker and client the Functions host would give the app: its own <see cref="JourneyOrchestrator"/>
/// and <see cref="JourneyActivities"/> over gRPC to a sidecar, with the app's data converter. Shared by the tests'
/// <see cref="FunctionAppHost"/> and the side-by-side benchmark (which links this file).
/// </summary>
internal static class AppDurableWorker
{
    public static IHost Build(IServiceProvider app, GrpcChannel channel, ILoggerFactory loggerFactory)
    {
        var converter = new JsonDataConverter(OrchestrationJson.Options);
        var orchestrator = app.GetRequiredService<JourneyOrchestrator>();
        var activities = app.GetRequiredService<JourneyActivities>();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddDurableTaskWorker(w =>
        {
            w.UseGrpc(channel);
            w.Configure(o => o.DataConverter = converter);
            w.AddTasks(r =>
            {
                // The typed overload: the input arrives as JourneyRunInput through the converter, as the Functions
                // extension binds [OrchestrationTrigger]; the orchestrator then reads it with GetInput, as in Azure.
                r.AddOrchestratorFunc<JourneyRunInput, RunState?>(JourneyOrchestration.OrchestratorName, (context, _) => orchestrator.JourneyRun(context));
                r.AddActivityFunc<JourneyVersionRef, Core.Model.JourneyDefinition>(JourneyOrchestration.LoadJourneyActivity,
                    (context, input) => activities.LoadJourney(input, Invocation(app, context)));
                r.AddActivityFunc<string, Contact?>(JourneyOrchestration.LoadContactActivity,
                    (context, input) => activities.LoadContact(input, Invocation(app, context)));
                r.AddActivityFunc<ExecuteActivityInput, ActivityOutcome>(JourneyOrchestration.ExecuteActivityName,
                    (context, input) => activities.ExecuteActivity(input, Invocation(app, context)));
                r.AddActivityFunc<string, bool>(JourneyOrchestration.IsJourneyPausedActivity,
                    (context, input) => activities.IsJourneyPaused(input, Invocation(app, context)));
                r.AddActivityFunc<RunRecord, bool>(JourneyOrchestration.RecordResultActivity,
                    (context, input) => activities.RecordResult(input, Invocation(app, context)));
            });
        });
        builder.Services.AddDurableTaskClient(c =>
        {
            c.UseGrpc(channel);
            c.Configure(o => o.DataConverter = converter);
        });
        return builder.Build();
    }

    private static TestFunctionContext Invocation(IServiceProvider app, TaskActivityContext context) => new(app, context.Name);
}
