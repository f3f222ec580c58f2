namespace Gateway.Node.SshSessions;

/// <summary>A view that draws a session's state (the status TUI), fed by <see cref="SessionStatusFeed.Watch"/>.</summary>
public interface IStatusViewer
{
    /// <summary>A <see cref="StatusLine"/> or a <see cref="Gateway.Actors.Sessions.SessionUpdate"/>. Must not block: called under the feed's lock.</summary>
    void Deliver(object item);

    /// <summary>The connection is about to be closed by the gateway: restore the terminal, say why, and end. Completes when done.</summary>
    Task EndAsync(string reason);
}

/// <summary>What a view that joins late starts from: recent lines, the forwards, the open connections.</summary>
public sealed record StatusViewSeed(IReadOnlyList<StatusLine> Lines, Gateway.Actors.Sessions.ForwardsUpdated? Forwards, IReadOnlyList<Gateway.Actors.Sessions.ConnectionSnapshot> Open);
