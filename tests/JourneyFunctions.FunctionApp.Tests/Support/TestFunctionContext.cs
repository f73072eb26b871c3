using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker;

namespace JourneyFunctions.FunctionApp.Tests.Support;

/// <summary>
/// The invocation context the Functions host hands a function, for calling the app's function methods directly: its
/// cancellation token, invocation id and, for a queue trigger, the binding data the runtime fills in (Id,
/// PopReceipt, DequeueCount ...). The functions under test read nothing else of it.
/// </summary>
public sealed class TestFunctionContext(IServiceProvider services, string functionName, IReadOnlyDictionary<string, object?>? bindingData = null, CancellationToken cancellationToken = default) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

    public override string FunctionId => functionName;

    public override TraceContext TraceContext { get; } = new EmptyTraceContext();

    public override BindingContext BindingContext { get; } = new DataBindingContext(bindingData ?? ImmutableDictionary<string, object?>.Empty);

    public override RetryContext RetryContext => null!;

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override FunctionDefinition FunctionDefinition => throw new InvalidOperationException("The functions under test do not read their definition.");

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new InvalidOperationException("The functions under test use no invocation features.");

    public override CancellationToken CancellationToken { get; } = cancellationToken;

    private sealed class EmptyTraceContext : TraceContext
    {
        public override string TraceParent => string.Empty;

        public override string TraceState => string.Empty;
    }

    private sealed class DataBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = data;
    }
}
