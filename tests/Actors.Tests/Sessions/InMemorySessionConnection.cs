using Akka.Actor;
using Gateway.Actors.Sessions;

namespace Gateway.Actors.Tests.Sessions;

/// <summary>
/// An SSH connection as a session actor sees it, in memory: the test ends it, and reads back
/// whether the actor listed it (the node's registry) and closed it.
/// </summary>
internal sealed class InMemorySessionConnection : ISessionConnection
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IActorRef? _attachedTo;
    private string? _closedWith;

    public Task Completion => _ended.Task;

    /// <summary>The actor that listed the connection, while it is listed.</summary>
    public IActorRef? AttachedTo => Volatile.Read(ref _attachedTo);

    /// <summary>The reason the actor closed the connection with, once it did.</summary>
    public string? ClosedWith => Volatile.Read(ref _closedWith);

    /// <summary>Runs inside <see cref="Close"/>, before the connection counts as closed (to look at the node's state then).</summary>
    public Action? OnClosing { get; set; }

    /// <summary>The client went away.</summary>
    public void End() => _ended.TrySetResult();

    public void Attach(IActorRef session) => Volatile.Write(ref _attachedTo, session);


    public void Close(string reason)
    {
        OnClosing?.Invoke();
        Volatile.Write(ref _attachedTo, null);
        Volatile.Write(ref _closedWith, reason);
        _ended.TrySetResult();
    }
}

/// <summary>Status lines a session posts, kept for assertions.</summary>
internal sealed class RecordingStatusSink : ISessionStatusSink
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
    public void Post(string line) { lock (_lines) _lines.Add(line); }
}
