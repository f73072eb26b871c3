namespace JourneyFunctions.Core.Runner;

/// <summary>One input the runner could not handle: what it was (e.g. <c>routing cart.updated</c>), whose, and why.</summary>
public sealed record RunnerFailure(string Input, string ContactId, Exception Exception);
