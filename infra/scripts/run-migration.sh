#!/usr/bin/env bash
# Runs the migration task (`migrate run` in the image of the current Modak-Platform deploy) on Fargate, waits for it
# to stop and fails unless it exited 0. The deploy workflow runs it between the platform and the app stacks; an
# operator can run it the same way with AWS credentials: infra/scripts/run-migration.sh
set -euo pipefail

stack="${PLATFORM_STACK:-Modak-Platform}"
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
cluster="$(output ClusterName)"
task_definition="$(output MigrationTaskDefinition)"
subnets="$(output MigrationSubnets)"
security_group="$(output MigrationSecurityGroup)"
started_by="manual"
if [ -n "${GITHUB_RUN_ID:-}" ]; then started_by="github-run-$GITHUB_RUN_ID"; fi

echo "running ${task_definition##*/} on cluster $cluster"
task="$(aws ecs run-task \
  --cluster "$cluster" \
  --task-definition "$task_definition" \
  --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[$subnets],securityGroups=[$security_group],assignPublicIp=DISABLED}" \
  --started-by "$started_by" \
  --query 'tasks[0].taskArn' --output text)"
echo "task $task; logs: aws logs tail /modak/migrate --follow"

aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
read -r exit_code reason < <(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].[containers[0].exitCode, stoppedReason]' --output text)
if [ "$exit_code" != "0" ]; then
  echo "migration failed: exit code $exit_code ($reason); see the log group /modak/migrate" >&2
  exit 1
fi
echo "migration done"
