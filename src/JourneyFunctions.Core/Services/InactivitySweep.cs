using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Time;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// Finds contacts with no activity for a journey's <c>inactiveFor</c> and queues a <see cref="SystemEvents.Inactive"/>
/// event for each, which the router turns into an entry (subject to the re-entry policy). The event id is derived from
/// the journey and the contact's last activity, so sweeping again finds the same period and routes it once; new
/// activity followed by a new quiet period gives a new id. Run it periodically (a timer trigger, the host's loop).
/// </summary>
public sealed class InactivitySweep(IJourneyCatalog catalog, IContactStore contacts, IEventQueue queue, TimeProvider time)
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queued = 0;
        foreach (var (journey, paused) in await catalog.GetLatestAsync(cancellationToken))
        {
            if (paused || journey.Trigger.InactiveFor is not { } text || !IsoDuration.TryParse(text, out var duration, out _))
            {
                continue;
            }

            var before = (duration with { Negative = !duration.Negative }).AddTo(now, TimeZoneInfo.Utc);
            await foreach (var contact in contacts.ListInactiveAsync(before, cancellationToken))
            {
                var last = contact.LastActivityAt ?? contact.CreatedAt;
                var data = JsonSerializer.SerializeToElement(new Dictionary<string, string>
                {
                    ["journeyId"] = journey.Id,
                    ["lastActivityAt"] = last.ToString("O", CultureInfo.InvariantCulture),
                    ["inactiveFor"] = text,
                });
                await queue.EnqueueAsync(
                    new ContactEvent
                    {
                        Id = $"inactive|{journey.Id}|{last.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
                        ContactId = contact.Id,
                        Name = SystemEvents.Inactive,
                        Data = data,
                        OccurredAt = now,
                    },
                    cancellationToken);
                queued++;
            }
        }

        return queued;
    }
}
