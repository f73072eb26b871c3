using JourneyFunctions.Core.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// Adapts the Durable Functions <see cref="TaskOrchestrationContext"/> to the port the journey driver uses, and adds
/// the activity retry policy (<see cref="FunctionAppOptions"/>; by default five attempts with exponential back-off
/// from 5 s to 5 min; the same settings on every replay, as they come from configuration). Activities throw only on
/// failures worth retrying (a permanent refusal comes back as a failed outcome), so every exception is retried; when
/// the last attempt fails, the driver gets an <see cref="ActivityFailedException"/> and ends the run as failed.
/// </summary>
public sealed class TaskOrchestrationContextPort(TaskOrchestrationContext context, TaskOptions retry) : IOrchestrationContextPort
{
    public string InstanceId => context.InstanceId;

    public DateTime CurrentUtcDateTime => context.CurrentUtcDateTime;

    public bool IsReplaying => context.IsReplaying;

    public async Task<TResult> CallActivityAsync<TResult>(string name, object input)
    {
        try
        {
            return await context.CallActivityAsync<TResult>(name, input, retry);
        }
        catch (TaskFailedException e)
        {
            throw new ActivityFailedException($"{e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}", e);
        }
    }

    public Task CreateTimer(DateTime fireAtUtc, CancellationToken cancellationToken) => context.CreateTimer(fireAtUtc, cancellationToken);

    public Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken) => context.WaitForExternalEvent<T>(name, cancellationToken);

    public void ContinueAsNew(object input) => context.ContinueAsNew(input, preserveUnprocessedEvents: true);

    public void SetCustomStatus(object? status) => context.SetCustomStatus(status);

    public ILogger CreateReplaySafeLogger(string categoryName) => context.CreateReplaySafeLogger(categoryName);
}
