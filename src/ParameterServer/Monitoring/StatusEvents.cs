using System.Threading.Channels;
using A3cGrpc.Contracts.V1;

namespace A3cGrpc.ParameterServer.Monitoring;

/// <summary>Hands evaluation and "solved" events to every <c>WatchStatus</c> stream open at the time. Thread-safe.</summary>
public sealed class StatusEvents
{
    private readonly Lock _gate = new();
    private readonly List<Channel<TrainingEvent>> _subscribers = [];

    /// <summary>Starts receiving events; dispose the subscription to stop.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    /// <summary>Sends <paramref name="trainingEvent"/> to every subscriber.</summary>
    public void Publish(TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(trainingEvent);
            }
        }
    }

    private void Unsubscribe(Channel<TrainingEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>One stream's events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly StatusEvents _owner;
        private readonly Channel<TrainingEvent> _channel;

        internal Subscription(StatusEvents owner, Channel<TrainingEvent> channel)
        {
            _owner = owner;
            _channel = channel;
        }

        /// <summary>The events, in the order they were published.</summary>
        public ChannelReader<TrainingEvent> Reader => _channel.Reader;

        /// <inheritdoc />
        public void Dispose() => _owner.Unsubscribe(_channel);
    }
}
