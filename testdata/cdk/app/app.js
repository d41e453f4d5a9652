// Synthesizes the cloud assemblies under testdata/cdk: one case and variant per run.
//   CASE=cross-stack|nested|stage VARIANT=correct|broken npx cdk synth --no-staging -o <dir>
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const sqs = require('aws-cdk-lib/aws-sqs');
const kinesis = require('aws-cdk-lib/aws-kinesis');
const iam = require('aws-cdk-lib/aws-iam');
const { SqsEventSource, KinesisEventSource } = require('aws-cdk-lib/aws-lambda-event-sources');

const broken = process.env.VARIANT === 'broken';

function handler(scope, id) {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
}

// A queue in one stack; its consumer in another, joined by the export the CDK creates.
class QueueStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    this.queue = new sqs.Queue(this, 'Queue');
  }
}

class ConsumerStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const fn = handler(this, 'Consumer');
    if (broken) {
      // The mapping without the grant SqsEventSource adds: only ReceiveMessage.
      new lambda.EventSourceMapping(this, 'Mapping', {
        target: fn,
        eventSourceArn: props.queue.queueArn,
      });
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage'],
        resources: [props.queue.queueArn],
      }));
    } else {
      fn.addEventSource(new SqsEventSource(props.queue));
    }
  }
}

// A Kinesis stream in the parent; its consumer in a nested stack, the stream passed in.
class StreamConsumer extends cdk.NestedStack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const fn = handler(this, 'Consumer');
    if (broken) {
      new lambda.EventSourceMapping(this, 'Mapping', {
        target: fn,
        eventSourceArn: props.stream.streamArn,
        startingPosition: lambda.StartingPosition.LATEST,
      });
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
        resources: [props.stream.streamArn],
      }));
    } else {
      fn.addEventSource(new KinesisEventSource(props.stream, {
        startingPosition: lambda.StartingPosition.LATEST,
      }));
    }
  }
}

class StreamStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const stream = new kinesis.Stream(this, 'Stream', { encryption: kinesis.StreamEncryption.UNENCRYPTED });
    new StreamConsumer(this, 'Consumers', { stream });
  }
}

class Pipeline extends cdk.Stage {
  constructor(scope, id, props) {
    super(scope, id, props);
    const queues = new QueueStack(this, 'Queues');
    new ConsumerStack(this, 'Workers', { queue: queues.queue });
  }
}

const app = new cdk.App({ analyticsReporting: false, stackTraces: false });
switch (process.env.CASE) {
  case 'cross-stack': {
    const queues = new QueueStack(app, 'QueueStack');
    new ConsumerStack(app, 'ConsumerStack', { queue: queues.queue });
    break;
  }
  case 'nested':
    new StreamStack(app, 'StreamStack');
    break;
  case 'stage':
    new Pipeline(app, 'Prod', { env: { account: '111122223333', region: 'eu-west-1' } });
    break;
  default:
    throw new Error('CASE must be cross-stack, nested or stage');
}
app.synth();
