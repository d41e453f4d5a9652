const cdk = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');
const lambda = require('aws-cdk-lib/aws-lambda');
const iam = require('aws-cdk-lib/aws-iam');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'SeparatePolicyStack', { env: { account: '123456789012', region: 'us-east-1' } });
const queue = new sqs.Queue(stack, 'OrdersQueue');
const role = new iam.Role(stack, 'OrdersRole', {
  assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
});
// A policy of its own, attached to the role by naming it: nothing makes the mapping wait for it.
new iam.Policy(stack, 'OrdersPolicy', {
  roles: [role],
  statements: [new iam.PolicyStatement({
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    resources: [queue.queueArn],
  })],
});
const fn = new lambda.Function(stack, 'OrdersFunction', {
  runtime: lambda.Runtime.PYTHON_3_12,
  handler: 'index.handler',
  code: lambda.Code.fromInline('def handler(e, c): pass'),
  role,
});
new lambda.EventSourceMapping(stack, 'OrdersMapping', { target: fn, eventSourceArn: queue.queueArn });
app.synth();
